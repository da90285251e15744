import type { Workspace } from '../../../src-shared/contract';
import { useRole } from '../data/session';
import { limitText } from '../format';
import { can } from '../permissions';
import { Facts, PageHeader, Section } from '../ui/Section';
import { ActivityTable } from './ActivityTable';
import { NeedsAttentionPanel } from './NeedsAttentionPanel';

export function OverviewPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  return (
    <div className="page">
      <PageHeader title={workspace.name} subtitle="Overview" />
      {can(role, 'post.read') && <NeedsAttentionPanel workspace={workspace} />}
      <Section title="At a glance">
        <Facts
          items={[
            ['Plan', workspace.plan.name],
            ['Clients allowed', limitText(workspace.plan.maxClients)],
            ['Team members allowed', limitText(workspace.plan.maxMembers)],
            ['Integrations', workspace.integrations.length],
          ]}
        />
      </Section>
      {can(role, 'activity.read') && <ActivityTable workspace={workspace} limit={5} title="Latest activity" />}
    </div>
  );
}
