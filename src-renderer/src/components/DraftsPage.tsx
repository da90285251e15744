import { useId, useMemo } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { can } from '../permissions';
import { excerpt, useAllPosts } from '../posts';
import { useStore } from '../store';
import { useClients } from '../useClients';
import { ErrorAlert } from './ErrorAlert';
import { PostList } from './PostList';
import { useRole } from '../data/session';

/** Posts without a time yet; each opens in the composer to finish or schedule. */
export function DraftsPage({ workspace }: { workspace: Workspace }) {
  const role = useRole();
  const openComposer = useStore((s) => s.openComposer);
  const id = useId();
  const { byId } = useClients(workspace);
  const drafts = useAllPosts(workspace.id, null, { state: 'draft' });
  const groups = useMemo(
    () => [...(drafts.data?.groups ?? [])].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    [drafts.data],
  );
  const mayEdit = can(role, 'post.draft');

  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Drafts</h1>
          <p className="muted">Posts with no time yet, most recently changed first.</p>
        </div>
        {mayEdit && (
          <button type="button" className="button primary" aria-haspopup="dialog" onClick={() => openComposer()}>
            New post
          </button>
        )}
      </header>
      <section className="card" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="visually-hidden">
          Draft list
        </h2>
        {drafts.error && <ErrorAlert error={drafts.error} />}
        <p role="status" className="muted list-count">
          {drafts.data === undefined
            ? 'Loading drafts…'
            : `${drafts.data.total} ${drafts.data.total === 1 ? 'draft' : 'drafts'}`}
        </p>
        {drafts.data !== undefined && groups.length === 0 && <p className="muted">No drafts.</p>}
        <PostList
          label="Drafts"
          groups={groups}
          clients={byId}
          fallbackZone={workspace.timezone}
          busy={drafts.isFetching}
          actions={
            mayEdit
              ? (g) => (
                  <button
                    type="button"
                    className="button small"
                    aria-haspopup="dialog"
                    aria-label={`Edit ${byId.get(g.userId)?.displayName ?? 'draft'}: ${excerpt(g.text, 40)}`}
                    onClick={() => openComposer({ postId: g.id })}
                  >
                    Edit
                  </button>
                )
              : undefined
          }
        />
      </section>
    </div>
  );
}
