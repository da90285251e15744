import { useMemo } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { useClients } from '../clients/useClients';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { ErrorAlert } from '../ui/ErrorAlert';
import { PageHeader, Section } from '../ui/Section';
import { PostList } from './PostList';
import { excerpt, useAllPosts } from './posts';
import { Action } from '../ui/Action';
import { NewPostButton } from './NewPostButton';

/** Posts without a time yet; each opens in the composer to finish or schedule. */
export function DraftsPage({ workspace }: { workspace: Workspace }) {
  const mayEdit = can(useRole(), 'post.draft');
  const openComposer = useStore((s) => s.openComposer);
  const { byId } = useClients(workspace);
  const drafts = useAllPosts(workspace.id, null, { state: 'draft' });
  const groups = useMemo(
    () => [...(drafts.data?.groups ?? [])].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    [drafts.data],
  );
  const total = drafts.data?.total ?? 0;

  return (
    <div className="page">
      <PageHeader
        title="Drafts"
        subtitle="Posts with no time yet, most recently changed first."
        actions={<NewPostButton />}
      />
      <Section title="Draft list" hideTitle>
        {drafts.error && <ErrorAlert error={drafts.error} />}
        <p role="status" className="muted list-count">
          {drafts.data === undefined ? 'Loading drafts…' : `${total} ${total === 1 ? 'draft' : 'drafts'}`}
        </p>
        {drafts.data !== undefined && groups.length === 0 && <p className="muted">No drafts.</p>}
        <PostList
          workspace={workspace}
          label="Drafts"
          groups={groups}
          busy={drafts.isFetching}
          actions={
            mayEdit
              ? (g) => (
                  <Action
                    small
                    opensDialog
                    label={`Edit ${byId.get(g.userId)?.displayName ?? 'draft'}: ${excerpt(g.text, 40)}`}
                    onClick={() => openComposer({ postId: g.id })}
                  >
                    Edit
                  </Action>
                )
              : undefined
          }
        />
      </Section>
    </div>
  );
}
