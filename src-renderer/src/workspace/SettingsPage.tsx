import type { Workspace } from '../../../src-shared/contract';
import { useContractMutation } from '../data/queries';
import { useLogo, useRole, type LogoKind } from '../data/session';
import { formatBytes, formatDateTime, formatPrice, limitText } from '../format';
import { can } from '../permissions';
import { useStore } from '../store';
import { CopyField } from '../ui/CopyField';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Facts, PageHeader, Section } from '../ui/Section';
import { ActivityTable } from './ActivityTable';
import { ApprovalSettingsSection } from '../approvals/ApprovalSettingsSection';
import { EmailSection } from './EmailSection';
import { IntegrationsSection } from './IntegrationsSection';
import { Action } from '../ui/Action';

function LogoFigure({ workspace, kind, label }: { workspace: Workspace; kind: LogoKind; label: string }) {
  const url = useLogo(workspace, kind);
  const info = kind === 'square' ? workspace.squareLogo : workspace.imageLogo;
  return (
    <figure className="logo-figure">
      <div className={`logo-frame logo-${kind}`}>
        {url ? (
          <img src={url} alt={label} />
        ) : (
          <span className="muted">{url === undefined ? 'Loading…' : 'No logo'}</span>
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
  const reveal = useContractMutation('workspace.revealApiKey');
  return (
    <Section
      title="API"
      intro={
        <>
          Scripts reach this workspace through the local REST API with the workspace key in the{' '}
          <code>x-publora-key</code> header. Each client can also have a key of their own (on the client's page). The
          API page rotates the key and has curl examples to start from.
        </>
      }
    >
      {reveal.data ? (
        <CopyField label="Workspace API key" value={reveal.data.apiKey} />
      ) : (
        <Action disabled={reveal.isPending} onClick={() => reveal.mutate({ workspaceId: workspace.id })}>
          Reveal workspace API key
        </Action>
      )}
      {reveal.error && <ErrorAlert error={reveal.error} />}
      <div className="form-actions">
        <Action onClick={() => setView('api')}>Open the API page</Action>
      </div>
    </Section>
  );
}

export function SettingsPage({ workspace }: { workspace: Workspace }) {
  const tz = workspace.timezone;
  const role = useRole();
  const setView = useStore((s) => s.setView);
  const at = (iso: string) => <time dateTime={iso}>{formatDateTime(iso, tz)}</time>;
  const { plan, subscription } = workspace;
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle={workspace.name} />

      <Section title="Workspace">
        <Facts
          items={[
            ['Name', workspace.name],
            ['Slug', <code key="slug">{workspace.slug}</code>],
            ['Type', workspace.workspaceType],
            ['Layout', workspace.layoutType],
            ['Timezone', tz],
            ['Created', at(workspace.createdAt)],
          ]}
        />
      </Section>

      <Section title="Plan">
        <Facts
          items={[
            ['Plan', plan.name],
            ['Subscription start', at(subscription.startsAt)],
            ['Subscription end', subscription.endsAt ? at(subscription.endsAt) : 'No end date'],
            ['Price', formatPrice(plan.priceCents, plan.currency)],
            ['Team members', limitText(plan.maxMembers)],
            ['Clients', limitText(plan.maxClients)],
            ['Posts per client per day', plan.dailyPostLimit],
          ]}
        />
        <div className="form-actions">
          <Action onClick={() => setView('plan')}>{can(role, 'plan.change') ? 'Change plan' : 'Compare plans'}</Action>
        </div>
      </Section>

      <Section title="Logos">
        <div className="logos">
          <LogoFigure workspace={workspace} kind="square" label="Square logo" />
          <LogoFigure workspace={workspace} kind="image" label="Image logo" />
        </div>
      </Section>

      <IntegrationsSection workspace={workspace} />

      {can(role, 'workspace.update') && <EmailSection workspace={workspace} />}

      <ApprovalSettingsSection workspace={workspace} />

      {can(role, 'apiKey.workspace') && <ApiSection workspace={workspace} />}

      {can(role, 'activity.read') && <ActivityTable workspace={workspace} limit={20} title="Recent activity" />}
    </div>
  );
}
