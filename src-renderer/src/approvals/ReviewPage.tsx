import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ListPostGroupsQuery, PostGroup } from '../../../src-shared/posts';
import type { z } from 'zod';
import { useClients } from '../clients/useClients';
import { useContract } from '../data/queries';
import { useRole } from '../data/session';
import { excerpt, formatInZone } from '../posts/posts';
import { targetNames } from '../posts/PostList';
import { useStore } from '../store';
import { Action } from '../ui/Action';
import { ErrorAlert } from '../ui/ErrorAlert';
import { PageHeader } from '../ui/Section';
import { ApprovalBadge } from './ApprovalBadge';
import { mayDecide } from './approvalText';
import { DecisionDialog } from './DecisionDialog';

/** The board's columns (issue 13 item 6), each a filter of the post list. */
const columns: { title: string; state: NonNullable<z.input<typeof ListPostGroupsQuery>['state']>; empty: string }[] = [
  { title: 'Drafts', state: 'draft', empty: 'No drafts.' },
  { title: 'In review', state: 'in_review', empty: 'Nothing is waiting for a review.' },
  { title: 'Changes requested', state: 'changes_requested', empty: 'No changes requested.' },
  { title: 'Approved', state: 'approved', empty: 'Nothing approved yet.' },
  { title: 'Scheduled', state: 'scheduled', empty: 'Nothing scheduled.' },
];

/** A column shows the soonest posts first; the queue lists them all. */
const COLUMN_SIZE = 50;

function Column({
  workspace,
  column,
  onDecide,
}: {
  workspace: Workspace;
  column: (typeof columns)[number];
  onDecide: (g: PostGroup, d: 'approve' | 'requestChanges') => void;
}) {
  const role = useRole();
  const openPost = useStore((s) => s.openPost);
  const { byId } = useClients(workspace);
  const list = useContract('post.list', {
    workspaceId: workspace.id,
    query: { state: column.state, perPage: COLUMN_SIZE, order: 'asc' },
  });
  const headingId = `review-${column.state}`;
  const total = list.data?.total ?? 0;
  return (
    <section className="review-column" aria-labelledby={headingId}>
      <h2 id={headingId} className="subheading">
        {column.title} <span className="muted">({list.data ? total : '…'})</span>
      </h2>
      {list.error && <ErrorAlert error={list.error} />}
      {list.data && list.data.groups.length === 0 && <p className="muted">{column.empty}</p>}
      <ul className="review-cards" aria-label={column.title}>
        {list.data?.groups.map((g) => {
          const client = byId.get(g.userId);
          const name = client?.displayName ?? 'Client';
          const zone = client?.timezone ?? workspace.timezone;
          const mine = mayDecide(role, g.approval);
          return (
            <li key={g.id} className={mine ? 'review-card mine' : 'review-card'} data-post-id={g.id}>
              <button type="button" className="review-open" onClick={() => void openPost(g.id)}>
                <span className="client-name">{name}</span>
                <span className="post-excerpt">{excerpt(g.text, 60)}</span>
                <span className="muted">
                  {g.scheduledTime ? formatInZone(g.scheduledTime, zone) : 'No time yet'} · {targetNames(g)}
                </span>
              </button>
              <ApprovalBadge approval={g.approval} />
              {mine && (
                <div className="button-row">
                  <Action
                    small
                    tone="primary"
                    opensDialog
                    label={`Approve ${name}: ${excerpt(g.text, 40)}`}
                    onClick={() => onDecide(g, 'approve')}
                  >
                    Approve
                  </Action>
                  <Action
                    small
                    opensDialog
                    label={`Request changes to ${name}: ${excerpt(g.text, 40)}`}
                    onClick={() => onDecide(g, 'requestChanges')}
                  >
                    Request changes
                  </Action>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {list.data && total > list.data.groups.length && (
        <p className="muted">{total - list.data.groups.length} more in the queue.</p>
      )}
    </section>
  );
}

/**
 * The review board (issue 13 item 6): drafts, posts in review, with changes requested, approved
 * and scheduled. Posts waiting for the signed-in person's own decision are marked and carry
 * Approve / Request changes.
 */
export function ReviewPage({ workspace }: { workspace: Workspace }) {
  const [deciding, setDeciding] = useState<{ group: PostGroup; decision: 'approve' | 'requestChanges' } | null>(null);
  const count = useContract('approval.reviewCount', { workspaceId: workspace.id });
  const waiting = count.data?.count ?? 0;
  return (
    <div className="page">
      <PageHeader
        title="Reviews"
        subtitle={
          count.data === undefined
            ? 'Posts on their way through approval.'
            : waiting === 0
              ? 'Nothing is waiting for your review.'
              : `${waiting} ${waiting === 1 ? 'post waits' : 'posts wait'} for your review.`
        }
      />
      <div className="review-board">
        {columns.map((c) => (
          <Column
            key={c.state}
            workspace={workspace}
            column={c}
            onDecide={(group, decision) => setDeciding({ group, decision })}
          />
        ))}
      </div>
      {deciding && (
        <DecisionDialog
          workspaceId={workspace.id}
          group={deciding.group}
          decision={deciding.decision}
          onClose={() => setDeciding(null)}
        />
      )}
    </div>
  );
}
