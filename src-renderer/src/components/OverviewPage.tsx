import type { Workspace } from '../../../src-shared/contract';
import { limitText } from '../format';
import { can } from '../permissions';
import { ActivityTable } from './ActivityTable';
import { useRole } from '../data/session';

export function OverviewPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  return (
    <div className="page">
      <header className="page-header">
        <h1>{workspace.name}</h1>
        <p className="muted">Overview</p>
      </header>
      <section className="card" aria-labelledby="overview-summary">
        <h2 id="overview-summary">At a glance</h2>
        <dl className="facts">
          <div>
            <dt>Plan</dt>
            <dd>{workspace.plan.name}</dd>
          </div>
          <div>
            <dt>Clients allowed</dt>
            <dd>{limitText(workspace.plan.maxClients)}</dd>
          </div>
          <div>
            <dt>Team members allowed</dt>
            <dd>{limitText(workspace.plan.maxMembers)}</dd>
          </div>
          <div>
            <dt>Integrations</dt>
            <dd>{workspace.integrations.length}</dd>
          </div>
        </dl>
      </section>
      {can(role, 'activity.read') && <ActivityTable workspace={workspace} limit={5} title="Latest activity" />}
    </div>
  );
}
