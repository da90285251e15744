import { useId, useState } from 'react';
import type { Plan, PlanId, Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { formatDateTime, formatPrice, limitText } from '../format';
import { can } from '../permissions';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

function PlanCard({
  plan,
  current,
  canChange,
  busy,
  onSwitch,
}: {
  plan: Plan;
  current: boolean;
  canChange: boolean;
  busy: boolean;
  onSwitch: () => void;
}) {
  const id = useId();
  return (
    <li>
      <article
        className={current ? 'plan-card current' : 'plan-card'}
        aria-labelledby={`${id}-name`}
        aria-current={current ? 'true' : undefined}
      >
        <header className="plan-card-header">
          <h2 id={`${id}-name`}>{plan.name}</h2>
          {current && <span className="badge badge-on">Current plan</span>}
        </header>
        <p className="plan-price">{formatPrice(plan.priceCents, plan.currency)}</p>
        <dl className="plan-limits">
          <div>
            <dt>Team members</dt>
            <dd>{limitText(plan.maxMembers).toLowerCase()}</dd>
          </div>
          <div>
            <dt>Clients</dt>
            <dd>{limitText(plan.maxClients).toLowerCase()}</dd>
          </div>
          <div>
            <dt>Posts per client per day</dt>
            <dd>{plan.dailyPostLimit}</dd>
          </div>
        </dl>
        {canChange && !current && (
          <button type="button" className="button primary" disabled={busy} onClick={onSwitch}>
            Switch to {plan.name}
          </button>
        )}
      </article>
    </li>
  );
}

/** Every plan and its limits; the owner switches plans here (errors such as a downgrade below use are shown). */
export function PlanPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const plans = useContract('plan.list', {});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const canChange = can(role, 'plan.change');

  async function change(planId: PlanId, name: string) {
    setBusy(true);
    setError(null);
    setNotice('');
    const res = await act('plan.change', { workspaceId: workspace.id, planId });
    setBusy(false);
    if (res.ok) setNotice(`This workspace is now on the ${name} plan.`);
    else setError(res.error);
  }

  return (
    <div className="page">
      <header className="page-header">
        <h1>Plan</h1>
        <p className="muted">
          {workspace.name} is on the {workspace.plan.name} plan since{' '}
          <time dateTime={workspace.subscription.startsAt}>
            {formatDateTime(workspace.subscription.startsAt, workspace.timezone)}
          </time>
          .
        </p>
      </header>
      {!canChange && <p className="muted">Only the workspace owner can change the plan.</p>}
      {plans.error && <ErrorAlert error={plans.error} />}
      {error && <ErrorAlert error={error} />}
      <p role="status" className="notice">
        {notice}
      </p>
      {plans.isPending && <p className="muted">Loading plans…</p>}
      {plans.data && (
        <ul className="plan-grid" aria-label="Plans">
          {plans.data.map((p) => (
            <PlanCard
              key={p.id}
              plan={p}
              current={p.id === workspace.plan.id}
              canChange={canChange}
              busy={busy}
              onSwitch={() => void change(p.id, p.name)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
