import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { PostGroup } from '../../../src-shared/posts';
import { useAccountNames } from '../connections/names';
import { useContract, useContractMutation } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { BackButton, Facts, PageHeader, PageLoading, Section } from '../ui/Section';
import { DeliveriesTable } from './DeliveriesTable';
import { NotSentBadge } from './PostList';
import { ThreadParts } from './ThreadParts';
import { PostPoll } from './PostPoll';
import { formatInZone, isChangeable, stateLabel, useReportPublishing } from './posts';
import { Action } from '../ui/Action';
import { ApprovalBadge } from '../approvals/ApprovalBadge';
import { ReviewPanel } from '../approvals/ReviewPanel';

const backLabel: Record<string, string> = {
  queue: 'Queue',
  drafts: 'Drafts',
  calendar: 'Calendar',
  client: 'Client',
  clients: 'Clients',
  overview: 'Overview',
};

/**
 * The scheduler announces a delivery's end, not its start: while one is due or under way, look
 * again every few seconds so the page (and the header's "Publishing…") follows it.
 */
function pollWhileDue(data: unknown): number | false {
  const group = data as PostGroup | undefined;
  const now = Date.now();
  const due = group?.deliveries.some(
    (d) =>
      d.state === 'publishing' ||
      (d.state === 'scheduled' && d.nextAttemptAt !== null && Date.parse(d.nextAttemptAt) <= now),
  );
  return due ? 2000 : false;
}

/** One post group: its text, and each delivery with its state, attempts, error and link. */
export function PostPage({ workspace, postId }: { workspace: Workspace; postId: string }) {
  const role = useRole();
  const returnView = useStore((s) => s.returnView);
  const setView = useStore((s) => s.setView);
  const openComposer = useStore((s) => s.openComposer);
  const ref = { workspaceId: workspace.id, id: postId };
  const post = useContract('post.get', ref, { refetchInterval: pollWhileDue });
  const group = post.data;
  const client = useContract(
    'client.get',
    { workspaceId: workspace.id, userId: group?.userId ?? '' },
    { enabled: group !== undefined },
  );
  const accountOf = useAccountNames(workspace.id, group?.userId ?? null);
  const cancel = useContractMutation('post.cancel');
  const retry = useContractMutation('post.retry');
  const [cancelling, setCancelling] = useState(false);
  useReportPublishing('post', group ? [group] : []);

  const back = (
    <BackButton
      label={backLabel[returnView] ?? 'Back'}
      onClick={() => setView(returnView === 'post' ? 'queue' : returnView)}
    />
  );
  if (!group) return <PageLoading back={back} error={post.error} what="post" />;

  const zone = client.data?.timezone ?? workspace.timezone;
  const mayChange = can(role, 'post.draft') && isChangeable(group);
  const at = (iso: string) => <time dateTime={iso}>{formatInZone(iso, zone)}</time>;

  return (
    <div className="page">
      {back}
      <PageHeader
        title={`Post for ${client.data?.displayName ?? 'client'}`}
        subtitle={
          <>
            <span className={`badge badge-state-${group.status}`} data-testid="post-status">
              {stateLabel[group.status]}
            </span>{' '}
            {group.notSent && (
              <>
                <NotSentBadge />{' '}
              </>
            )}
            <ApprovalBadge approval={group.approval} />{' '}
            {group.scheduledTime ? at(group.scheduledTime) : 'Draft: no time yet'}
          </>
        }
        actions={
          mayChange && (
            <>
              <Action opensDialog onClick={() => openComposer({ postId: group.id })}>
                Edit
              </Action>
              {/* Not on the host yet: nothing to cancel there (D122). */}
              {!group.notSent && (
                <Action tone="danger" opensDialog disabled={cancel.isPending} onClick={() => setCancelling(true)}>
                  Cancel post
                </Action>
              )}
            </>
          )
        }
      />
      {group.notSent && (
        <p className="notice" role="status">
          Not sent yet: this post is saved on this computer and goes to the team host when it is back.
        </p>
      )}
      {cancel.error && <ErrorAlert error={cancel.error} />}
      {retry.error && <ErrorAlert error={retry.error} />}

      <Section title="Text">
        <p className="post-text">{group.text || <span className="muted">(no text)</span>}</p>
        {Object.entries(group.platformTexts).map(([platformId, text]) => (
          <div key={platformId} className="override">
            <h3 className="subheading">Text for {accountOf(platformId)}</h3>
            <p className="post-text">{text}</p>
          </div>
        ))}
        <Facts
          items={[
            ['Images', group.mediaCount],
            ['Time zone', zone],
            ['Created', at(group.createdAt)],
          ]}
        />
      </Section>

      <ThreadParts group={group} accountOf={accountOf} />
      <PostPoll group={group} />

      <ReviewPanel workspaceId={workspace.id} group={group} zone={zone} />

      <Section title="Deliveries">
        {(titleId) => (
          <DeliveriesTable
            labelledBy={titleId}
            deliveries={group.deliveries}
            zone={zone}
            accountOf={accountOf}
            retrying={retry.isPending}
            onRetry={
              can(role, 'post.schedule')
                ? (d) => retry.mutate({ workspaceId: workspace.id, id: group.id, platformIds: [d.platformId] })
                : undefined
            }
          />
        )}
      </Section>

      {cancelling && (
        <ConfirmDialog
          title="Cancel this post?"
          confirmLabel="Cancel post"
          busy={cancel.isPending}
          onCancel={() => setCancelling(false)}
          onConfirm={() => cancel.mutate(ref, { onSettled: () => setCancelling(false) })}
        >
          <p>
            Deliveries that have not gone out will not be published. Anything already published stays on the platform.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
