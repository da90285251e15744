import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useContractMutation } from '../data/queries';

/**
 * A client's own API key as the UI handles it: a new key (shown once, the old one stops working)
 * or the current one revealed from the keychain (null when the client has none).
 */
export function useClientKey(workspace: Workspace, userId: string) {
  const issue = useContractMutation('client.issueApiKey');
  const reveal = useContractMutation('client.revealApiKey');
  // Only the last of the two shows.
  const [last, setLast] = useState<'issued' | 'revealed' | null>(null);
  const ref = { workspaceId: workspace.id, userId };
  return {
    issued: last === 'issued' ? (issue.data?.apiKey ?? null) : null,
    revealed: last === 'revealed' ? reveal.data?.apiKey : undefined,
    error: last === 'issued' ? issue.error : reveal.error,
    busy: issue.isPending || reveal.isPending,
    generate: () => issue.mutate(ref, { onSettled: () => setLast('issued') }),
    reveal: () => reveal.mutate(ref, { onSettled: () => setLast('revealed') }),
  };
}

export type ClientKey = ReturnType<typeof useClientKey>;
