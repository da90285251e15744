import { useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { ErrorObject } from '../../../src-shared/errors';
import { createPostGroupExample, KEY_PLACEHOLDER, listClientsExample, PLATFORM_PLACEHOLDER } from '../apiExamples';
import { can } from '../permissions';
import { useClientKey } from '../useClientKey';
import { useClients } from '../useClients';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

/** How many clients the key list shows at once; the search narrows a longer list. */
const SHOWN_CLIENTS = 50;

/** A command to paste into a shell, with a Copy button that says whether it worked. */
function CodeExample({ title, code, children }: { title: string; code: string; children?: ReactNode }) {
  const id = useId();
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied('yes');
      return;
    } catch {
      // No clipboard permission: select the text, which a person can copy by hand.
    }
    const selection = window.getSelection();
    if (pre.current && selection) {
      const range = document.createRange();
      range.selectNodeContents(pre.current);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    setCopied(document.execCommand('copy') ? 'yes' : 'no');
  }

  return (
    <figure className="code-example" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="code-example-title">
        {title}
      </figcaption>
      {children}
      <div className="code-example-body">
        {/* Focusable so a long line can be scrolled with the keyboard. */}
        <pre ref={pre} className="code-block" tabIndex={0}>
          <code>{code}</code>
        </pre>
        <button
          type="button"
          className="button"
          aria-label={`Copy the ${title.toLowerCase()} example`}
          onClick={() => void copy()}
        >
          Copy
        </button>
      </div>
      <p role="status" className="hint">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </p>
    </figure>
  );
}

/** The workspace key: hidden until revealed, and rotated only after a question. */
function WorkspaceKeySection({
  workspace,
  apiKey,
  onKey,
}: {
  workspace: Workspace;
  apiKey: string | null;
  onKey: (key: string | null) => void;
}) {
  const id = useId();
  const [rotated, setRotated] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function reveal() {
    setBusy(true);
    setError(null);
    setNotice('');
    const res = await act('workspace.revealApiKey', { workspaceId: workspace.id });
    setBusy(false);
    if (res.ok) {
      onKey(res.data.apiKey);
      setRotated(false);
    } else setError(res.error);
  }

  async function rotate() {
    setBusy(true);
    setError(null);
    const res = await act('workspace.rotateApiKey', { workspaceId: workspace.id });
    setBusy(false);
    setConfirming(false);
    if (res.ok) {
      onKey(res.data.apiKey);
      setRotated(true);
      setNotice('The workspace key was rotated: the old key no longer works.');
    } else setError(res.error);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Workspace key</h2>
      <p className="muted">
        The workspace key reaches every client of {workspace.name}. Send it in the <code>x-publora-key</code> header; to
        act for one client, add that client's ID in <code>x-publora-user-id</code>.
      </p>
      {apiKey === null ? (
        <dl className="facts">
          <div>
            <dt>Workspace API key</dt>
            <dd>
              <span aria-hidden="true">••••••••••••</span>
              <span className="visually-hidden">hidden</span>
            </dd>
          </div>
        </dl>
      ) : (
        <div className="secret-panel">
          <CopyField
            label="Workspace API key"
            value={apiKey}
            hint={rotated ? 'The new key: copy it now and give it to your scripts.' : undefined}
          />
        </div>
      )}
      <p role="status" className="notice">
        {notice}
      </p>
      {error && <ErrorAlert error={error} />}
      <div className="form-actions">
        {apiKey === null ? (
          <button type="button" className="button" disabled={busy} onClick={() => void reveal()}>
            Reveal
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => {
              onKey(null);
              setRotated(false);
              setNotice('');
            }}
          >
            Hide
          </button>
        )}
        <button
          type="button"
          className="button danger"
          disabled={busy}
          aria-haspopup="dialog"
          onClick={() => setConfirming(true)}
        >
          Rotate key
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Rotate the workspace key?"
          confirmLabel="Rotate key"
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={() => void rotate()}
        >
          <p>
            A new key is made and the old key stops working at once: every script still using it gets “401 Unauthorized”
            until it has the new one. Clients' own keys are not affected.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** One client's own key: generated (shown once) or revealed. */
function ClientKeyItem({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const id = useId();
  const { issued, revealed, error, busy, generate, reveal } = useClientKey(workspace, user.id);

  return (
    <li className="key-item" aria-labelledby={`${id}-name`}>
      <div className="key-item-row">
        <span className="client-main">
          <span className="client-name" id={`${id}-name`}>
            {user.displayName}
          </span>
          <span className="muted">
            {user.email} · <code>{user.id}</code>
          </span>
        </span>
        {user.deactivated && <span className="badge badge-off">Deactivated</span>}
        <span className="button-row">
          <button
            type="button"
            className="button small"
            disabled={busy}
            aria-label={`Generate key for ${user.displayName}`}
            onClick={() => void generate()}
          >
            Generate key
          </button>
          <button
            type="button"
            className="button small"
            disabled={busy}
            aria-label={`Reveal key of ${user.displayName}`}
            onClick={() => void reveal()}
          >
            Reveal
          </button>
        </span>
      </div>
      {error && <ErrorAlert error={error} />}
      {issued && (
        <div className="secret-panel">
          <CopyField
            label={`New API key for ${user.displayName}`}
            value={issued}
            hint={`Shown once: copy it now. ${user.displayName}'s old key stopped working.${user.deactivated ? ' It is refused while the client is deactivated.' : ''}`}
          />
        </div>
      )}
      {revealed !== undefined && (
        <div className="secret-panel">
          {revealed === null ? (
            <p className="muted" role="status">
              {user.displayName} has no API key yet.
            </p>
          ) : (
            <CopyField label={`API key of ${user.displayName}`} value={revealed} />
          )}
        </div>
      )}
    </li>
  );
}

function ClientKeysSection({
  workspace,
  clients,
  loading,
  error,
}: {
  workspace: Workspace;
  clients: ManagedUser[] | null;
  loading: boolean;
  error: ErrorObject | null;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const matching = useMemo(
    () =>
      (clients ?? []).filter(
        (u) => !needle || u.displayName.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle),
      ),
    [clients, needle],
  );
  const shown = matching.slice(0, SHOWN_CLIENTS);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Client keys</h2>
      <p className="muted">
        A client's own key sees only that client's data, and needs no <code>x-publora-user-id</code>. Generating a new
        key replaces the client's current one at once.
      </p>
      {error && <ErrorAlert error={error} />}
      {clients !== null && clients.length > SHOWN_CLIENTS && (
        <div className="filters" role="search" aria-label="Filter client keys">
          <div className="field">
            <label htmlFor={`${id}-search`}>Search by name or email</label>
            <input id={`${id}-search`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
        </div>
      )}
      <p role="status" className="muted list-count">
        {clients === null
          ? 'Loading clients…'
          : clients.length === 0
            ? 'No clients yet.'
            : matching.length > shown.length
              ? `Showing ${shown.length} of ${matching.length} clients: search to find others.`
              : needle
                ? `${matching.length} ${matching.length === 1 ? 'client matches' : 'clients match'}`
                : ''}
      </p>
      {shown.length > 0 && (
        <ul className="key-list" aria-label="Client keys" aria-busy={loading}>
          {shown.map((u) => (
            <ClientKeyItem key={u.id} workspace={workspace} user={u} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ExamplesSection({
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
  const id = useId();
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

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Examples</h2>
      <p className="muted">
        {apiKey
          ? 'These use the workspace key shown above: keep them to yourself.'
          : mayRevealKey
            ? `Reveal the workspace key to fill in ${KEY_PLACEHOLDER}.`
            : `Replace ${KEY_PLACEHOLDER} with a key an owner or manager gives you.`}
      </p>
      <CodeExample title="List clients" code={listClientsExample(baseUrl, apiKey)} />
      <CodeExample
        title="Create a post group"
        code={createPostGroupExample(baseUrl, apiKey, client?.id ?? null, platformIds)}
      >
        {list.length > 0 && (
          <div className="field">
            <label htmlFor={`${id}-client`}>For client</label>
            <select id={`${id}-client`} value={client?.id ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {list.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}
                  {u.deactivated ? ' (deactivated)' : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        <p className="hint">
          {client === null
            ? 'There is no client yet: create one, or put a client ID in place of USER_ID.'
            : readConnections && connections.data !== undefined && platformIds.length === 0
              ? `${client.displayName} has no connected account yet: connect one, or put a platform ID in place of ${PLATFORM_PLACEHOLDER}.`
              : 'Without "scheduledTime" the post group is saved as a draft; add an ISO time to schedule it.'}
        </p>
      </CodeExample>
      {connections.error && <ErrorAlert error={connections.error} />}
    </section>
  );
}

/** The local REST API: where it listens, the keys that open it, and examples to start from. */
export function ApiPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const id = useId();
  const info = useContract('app.apiInfo', {});
  const [workspaceKey, setWorkspaceKey] = useState<string | null>(null);
  const mayListClients = can(role, 'client.list');
  // Roles that may not list clients load none (the engine would refuse).
  const { clients } = useClients(workspace, mayListClients);
  const clientList = mayListClients ? (clients.data?.users ?? null) : [];
  const mayRevealKey = can(role, 'apiKey.workspace');

  return (
    <div className="page">
      <header className="page-header">
        <h1>API</h1>
        <p className="muted">Scripts and other apps reach {workspace.name} through the local REST API.</p>
      </header>

      <section className="card" aria-labelledby={`${id}-address`}>
        <h2 id={`${id}-address`}>Address</h2>
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
          !info.error && (
            <p role="status" className="muted">
              Loading…
            </p>
          )
        )}
      </section>

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
        <ExamplesSection
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
