import { useState } from 'react';
import type { Workspace } from '../../src-shared/contract';
import type { ErrorObject } from '../../src-shared/errors';
import { act } from './data/queries';

/**
 * A client's own API key as the UI handles it: a new key (shown once, the old one stops working)
 * or the current one revealed from the keychain (null when the client has none).
 */
export function useClientKey(workspace: Workspace, userId: string) {
  const [issued, setIssued] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  async function generate() {
    setBusy(true);
    setError(null);
    const res = await act('client.issueApiKey', { workspaceId: workspace.id, userId });
    setBusy(false);
    if (res.ok) {
      setIssued(res.data.apiKey);
      setRevealed(undefined);
    } else setError(res.error);
  }

  async function reveal() {
    setBusy(true);
    setError(null);
    const res = await act('client.revealApiKey', { workspaceId: workspace.id, userId });
    setBusy(false);
    if (res.ok) {
      setRevealed(res.data.apiKey);
      setIssued(null);
    } else setError(res.error);
  }

  return { issued, revealed, error, busy, generate, reveal };
}
