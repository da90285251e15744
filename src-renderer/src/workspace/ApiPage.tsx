import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useClients } from '../clients/useClients';
import { useContract } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { CopyField } from '../ui/CopyField';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Loading, PageHeader, Section } from '../ui/Section';
import { ApiExamplesSection } from './ApiExamplesSection';
import { ClientKeysSection } from './ClientKeysSection';
import { WorkspaceKeySection } from './WorkspaceKeySection';

/** The local REST API: where it listens, the keys that open it, and examples to start from. */
export function ApiPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const info = useContract('app.apiInfo', {});
  const [workspaceKey, setWorkspaceKey] = useState<string | null>(null);
  const mayListClients = can(role, 'client.list');
  // Roles that may not list clients load none (the engine would refuse).
  const { clients } = useClients(workspace, mayListClients);
  const clientList = mayListClients ? (clients.data?.users ?? null) : [];
  const mayRevealKey = can(role, 'apiKey.workspace');

  return (
    <div className="page">
      <PageHeader title="API" subtitle={`Scripts and other apps reach ${workspace.name} through the local REST API.`} />

      <Section title="Address">
        {info.error && <ErrorAlert error={info.error} />}
        {info.data ? (
          <>
            <CopyField label="Base URL" value={info.data.baseUrl} hint="The API listens on this computer only." />
            <p>
              <a href={info.data.openApiUrl} target="_blank" rel="noreferrer">
                OpenAPI document
              </a>{' '}
              <span className="muted">(every route, its parameters and answers)</span>
            </p>
          </>
        ) : (
          !info.error && <Loading />
        )}
      </Section>

      {mayRevealKey && <WorkspaceKeySection workspace={workspace} apiKey={workspaceKey} onKey={setWorkspaceKey} />}

      {can(role, 'client.apiKey') && (
        <ClientKeysSection
          workspace={workspace}
          clients={clientList}
          loading={clients.isFetching}
          error={clients.error}
        />
      )}

      {info.data && (
        <ApiExamplesSection
          workspace={workspace}
          baseUrl={info.data.baseUrl}
          apiKey={workspaceKey}
          clients={clientList}
          mayRevealKey={mayRevealKey}
        />
      )}
    </div>
  );
}
