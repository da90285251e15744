import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { formatBytes, formatDateTime, formatPrice, limitText } from '../format';
import { can } from '../permissions';
import { useLogo, type LogoKind } from '../data/session';
import { useStore } from '../store';
import { ActivityTable } from './ActivityTable';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';
import { IntegrationsSection } from './IntegrationsSection';
import { useRole } from '../data/session';
import { act } from '../data/queries';

function LogoFigure({ workspace, kind, label }: { workspace: Workspace; kind: LogoKind; label: string }) {
  const url = useLogo(workspace, kind);
  const info = kind === 'square' ? workspace.squareLogo : workspace.imageLogo;
  return (
    <figure className="logo-figure">
      <div className={`logo-frame logo-${kind}`}>
        {url ? (
          <img src={url} alt={label} />
        ) : url === undefined ? (
          <span className="muted">Loading…</span>
        ) : (
          <span className="muted">No logo</span>
        )}
      </div>
      <figcaption>
        {label}
        {info && (
          <span className="muted">
            {' '}
            · {info.mimeType}, {formatBytes(info.size)}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

/** The workspace API key (for scripts using the local REST API), read back from the keychain on request. */
function ApiSection({ workspace }: { workspace: Workspace }) {
  const setView = useStore((s) => s.setView);
  const [apiKey, setApiKey] = useState<string | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  async function reveal() {
    setBusy(true);
    setError(null);
    const res = await act('workspace.revealApiKey', { workspaceId: workspace.id });
    setBusy(false);
    if (res.ok) setApiKey(res.data.apiKey);
    else setError(res.error);
  }

  return (
    <section className="card" aria-labelledby="settings-api">
      <h2 id="settings-api">API</h2>
      <p className="muted">
        Scripts reach this workspace through the local REST API with the workspace key in the <code>x-publora-key</code>{' '}
        header. Each client can also have a key of their own (on the client's page). The API page rotates the key and
        has curl examples to start from.
      </p>
      {apiKey ? (
        <CopyField label="Workspace API key" value={apiKey} />
      ) : (
        <button type="button" className="button" disabled={busy} onClick={() => void reveal()}>
          Reveal workspace API key
        </button>
      )}
      {error && <ErrorAlert error={error} />}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => setView('api')}>
          Open the API page
        </button>
      </div>
    </section>
  );
}

export function SettingsPage({ workspace }: { workspace: Workspace }) {
  const tz = workspace.timezone;
  const role = useRole();
  const setView = useStore((s) => s.setView);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted">{workspace.name}</p>
      </header>

      <section className="card" aria-labelledby="settings-workspace">
        <h2 id="settings-workspace">Workspace</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>{workspace.name}</dd>
          </div>
          <div>
            <dt>Slug</dt>
            <dd>
              <code>{workspace.slug}</code>
            </dd>
          </div>
          <div>
            <dt>Type</dt>
            <dd>{workspace.workspaceType}</dd>
          </div>
          <div>
            <dt>Layout</dt>
            <dd>{workspace.layoutType}</dd>
          </div>
          <div>
            <dt>Timezone</dt>
            <dd>{tz}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={workspace.createdAt}>{formatDateTime(workspace.createdAt, tz)}</time>
            </dd>
          </div>
        </dl>
      </section>

      <section className="card" id="plan" aria-labelledby="settings-plan">
        <h2 id="settings-plan">Plan</h2>
        <dl className="facts">
          <div>
            <dt>Plan</dt>
            <dd>{workspace.plan.name}</dd>
          </div>
          <div>
            <dt>Subscription start</dt>
            <dd>
              <time dateTime={workspace.subscription.startsAt}>
                {formatDateTime(workspace.subscription.startsAt, tz)}
              </time>
            </dd>
          </div>
          <div>
            <dt>Subscription end</dt>
            <dd>
              {workspace.subscription.endsAt ? (
                <time dateTime={workspace.subscription.endsAt}>
                  {formatDateTime(workspace.subscription.endsAt, tz)}
                </time>
              ) : (
                'No end date'
              )}
            </dd>
          </div>
          <div>
            <dt>Price</dt>
            <dd>{formatPrice(workspace.plan.priceCents, workspace.plan.currency)}</dd>
          </div>
          <div>
            <dt>Team members</dt>
            <dd>{limitText(workspace.plan.maxMembers)}</dd>
          </div>
          <div>
            <dt>Clients</dt>
            <dd>{limitText(workspace.plan.maxClients)}</dd>
          </div>
          <div>
            <dt>Posts per client per day</dt>
            <dd>{workspace.plan.dailyPostLimit}</dd>
          </div>
        </dl>
        <div className="form-actions">
          <button type="button" className="button" onClick={() => setView('plan')}>
            {can(role, 'plan.change') ? 'Change plan' : 'Compare plans'}
          </button>
        </div>
      </section>

      <section className="card" aria-labelledby="settings-logos">
        <h2 id="settings-logos">Logos</h2>
        <div className="logos">
          <LogoFigure workspace={workspace} kind="square" label="Square logo" />
          <LogoFigure workspace={workspace} kind="image" label="Image logo" />
        </div>
      </section>

      <IntegrationsSection workspace={workspace} />

      {can(role, 'apiKey.workspace') && <ApiSection workspace={workspace} />}

      {can(role, 'activity.read') && <ActivityTable workspace={workspace} limit={20} title="Recent activity" />}
    </div>
  );
}
