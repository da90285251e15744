import { useId } from 'react';
import type { Plan, Workspace } from '../../../src-shared/contract';
import { formatDateTime, formatPrice, limitText } from '../format';
import { can } from '../permissions';
import { ErrorAlert } from '../ui/ErrorAlert';
import { useRole } from '../data/session';
import { useContract, useContractMutation } from '../data/queries';
import { Loading, Notice, PageHeader } from '../ui/Section';
import { Action } from '../ui/Action';

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
          <Action tone="primary" disabled={busy} onClick={onSwitch}>
            Switch to {plan.name}
          </Action>
        )}
      </article>
    </li>
  );
}

/** Every plan and its limits; the owner switches plans here (errors such as a downgrade below use are shown). */
export function PlanPage({ workspace }: { workspace: Workspace }) {
  const canChange = can(useRole(), 'plan.change');
  const plans = useContract('plan.list', {});
  const change = useContractMutation('plan.change');
  const since = workspace.subscription.startsAt;

  return (
    <div className="page">
      <PageHeader
        title="Plan"
        subtitle={
          <>
            {workspace.name} is on the {workspace.plan.name} plan since{' '}
            <time dateTime={since}>{formatDateTime(since, workspace.timezone)}</time>.
          </>
        }
      />
      {!canChange && <p className="muted">Only the workspace owner can change the plan.</p>}
      {plans.error && <ErrorAlert error={plans.error} />}
      {change.error && <ErrorAlert error={change.error} />}
      <Notice>{change.data && `This workspace is now on the ${change.data.plan.name} plan.`}</Notice>
      {plans.isPending && <Loading what="plans" />}
      {plans.data && (
        <ul className="plan-grid" aria-label="Plans">
          {plans.data.map((p) => (
            <PlanCard
              key={p.id}
              plan={p}
              current={p.id === workspace.plan.id}
              canChange={canChange}
              busy={change.isPending}
              onSwitch={() => change.mutate({ workspaceId: workspace.id, planId: p.id })}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
