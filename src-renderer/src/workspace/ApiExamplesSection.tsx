import { useState } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { useContract } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { CodeExample } from '../ui/CodeExample';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { createPostGroupExample, KEY_PLACEHOLDER, listClientsExample, PLATFORM_PLACEHOLDER } from './apiExamples';
import { Options } from '../ui/Options';

/** curl examples filled with the real address, the revealed key and a chosen client's accounts. */
export function ApiExamplesSection({
  workspace,
  baseUrl,
  apiKey,
  clients,
  mayRevealKey,
}: {
  workspace: Workspace;
  baseUrl: string;
  apiKey: string | null;
  clients: ManagedUser[] | null;
  mayRevealKey: boolean;
}) {
  const role = useRole();
  const [chosen, setChosen] = useState<string | null>(null);
  const list = clients ?? [];
  // The chosen client, or the first active one (the first of all when every client is deactivated).
  const client = list.find((u) => u.id === chosen) ?? list.find((u) => !u.deactivated) ?? list[0] ?? null;
  const readConnections = client !== null && can(role, 'connection.read');
  const connections = useContract(
    'connection.list',
    { workspaceId: workspace.id, userId: client?.id ?? '' },
    { enabled: readConnections },
  );
  const platformIds = readConnections
    ? (connections.data ?? []).filter((c) => c.status === 'active').map((c) => c.platformId)
    : [];
  const hint =
    client === null
      ? 'There is no client yet: create one, or put a client ID in place of USER_ID.'
      : readConnections && connections.data !== undefined && platformIds.length === 0
        ? `${client.displayName} has no connected account yet: connect one, ` +
          `or put a platform ID in place of ${PLATFORM_PLACEHOLDER}.`
        : 'Without "scheduledTime" the post group is saved as a draft; add an ISO time to schedule it.';

  return (
    <Section
      title="Examples"
      intro={
        apiKey
          ? 'These use the workspace key shown above: keep them to yourself.'
          : mayRevealKey
            ? `Reveal the workspace key to fill in ${KEY_PLACEHOLDER}.`
            : `Replace ${KEY_PLACEHOLDER} with a key an owner or manager gives you.`
      }
    >
      <CodeExample title="List clients" code={listClientsExample(baseUrl, apiKey)} />
      <CodeExample
        title="Create a post group"
        code={createPostGroupExample(baseUrl, apiKey, client?.id ?? null, platformIds)}
      >
        {list.length > 0 && (
          <Field label="For client">
            {(control) => (
              <select {...control} value={client?.id ?? ''} onChange={(e) => setChosen(e.target.value)}>
                <Options
                  options={list.map((u) => ({
                    value: u.id,
                    label: u.deactivated ? `${u.displayName} (deactivated)` : u.displayName,
                  }))}
                />
              </select>
            )}
          </Field>
        )}
        <p className="hint">{hint}</p>
      </CodeExample>
      {connections.error && <ErrorAlert error={connections.error} />}
    </Section>
  );
}
