import { memo, useCallback, type ReactNode } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import type { PostGroup } from '../../../src-shared/posts';
import { excerpt, formatInZone, platformName, platformOf, stateLabel } from './posts';
import { useStore } from '../store';
import { VirtualList, type VirtualListProps } from '../ui/VirtualList';
import { useClients } from '../clients/useClients';
import { ApprovalBadge } from '../approvals/ApprovalBadge';

const ROW_HEIGHT = 76;

/** What the list hands on to VirtualList as it is: its name, whether it loads, and its paging. */
interface Props extends Pick<VirtualListProps<PostGroup>, 'label' | 'busy' | 'total' | 'onNeedMore'> {
  /** The workspace: its clients name the rows, and its zone dates posts whose client is unknown here. */
  workspace: Workspace;
  groups: readonly PostGroup[];
  /** Row checkboxes, for bulk actions; rows for which `selectable` is false get none. */
  selection?: {
    selected: ReadonlySet<string>;
    toggle(id: string, on: boolean): void;
    selectable(group: PostGroup): boolean;
  };
  /** More buttons at the end of a row. */
  actions?: (group: PostGroup) => ReactNode;
}

/**
 * A post this desk drafted while its team host was away, waiting in the desk's outbox (D122): it
 * goes, once, when the host is back.
 */
export function NotSentBadge() {
  return (
    <span className="badge badge-not-sent" title="Saved on this computer; it goes to the team host when it is back.">
      Not sent yet
    </span>
  );
}

/** The targets of a post as people read them: "Mastodon, X". */
export function targetNames(group: PostGroup): string {
  const names = group.deliveries.map((d) => platformName(d.platform));
  if (names.length === 0)
    return group.platformIds.map((id) => (platformOf(id) ? platformName(platformOf(id)!) : id)).join(', ');
  return [...new Set(names)].join(', ');
}

const postRowData = (g: PostGroup) => ({ 'data-post-id': g.id });

interface PostRowProps {
  group: PostGroup;
  client: ManagedUser | undefined;
  fallbackZone: string;
  /** Undefined: the list has no checkboxes; null: this row has none. */
  checked: boolean | null | undefined;
  toggle: ((id: string, on: boolean) => void) | undefined;
  openPost: (id: string) => Promise<void> | void;
  actions: ((group: PostGroup) => ReactNode) | undefined;
}

/**
 * One post in the list: its client, local time, first line, targets, approval and state. Memoised on
 * props that stay the same while the list scrolls or pages arrive (issue 11 `ui_queue_100k_scroll`):
 * a row is made once when it comes into view and again only when its post, client or checkbox
 * changes. Its boxes are few (every frame of a fast scroll lays out and paints a screenful of new
 * rows): the time's separator lives in its line, the targets are one text.
 */
const PostRow = memo(function PostRow({
  group,
  client,
  fallbackZone,
  checked,
  toggle,
  openPost,
  actions,
}: PostRowProps) {
  const zone = client?.timezone ?? fallbackZone;
  const name = client?.displayName ?? 'Client';
  const media = group.mediaCount > 0 ? ` · ${group.mediaCount} ${group.mediaCount === 1 ? 'image' : 'images'}` : '';
  return (
    <>
      {checked !== undefined && (
        <span className="post-check">
          {checked !== null && (
            <input
              type="checkbox"
              aria-label={`Select ${name}: ${excerpt(group.text, 40)}`}
              checked={checked}
              onChange={(e) => toggle?.(group.id, e.target.checked)}
            />
          )}
        </span>
      )}
      <button type="button" className="client-row post-open" onClick={() => void openPost(group.id)}>
        <span className="client-main">
          <span className="post-line">
            <span className="client-name">{name}</span>
            {' · '}
            {group.scheduledTime ? (
              <time dateTime={group.scheduledTime}>{formatInZone(group.scheduledTime, zone)}</time>
            ) : (
              'No time (draft)'
            )}
          </span>
          <span className="post-excerpt">{excerpt(group.text)}</span>
          <span className="muted post-targets">{targetNames(group) + media}</span>
        </span>
        <span className="post-badges">
          {group.notSent && <NotSentBadge />}
          <ApprovalBadge approval={group.approval} />
          <span className={`badge badge-state-${group.status}`}>{stateLabel[group.status]}</span>
        </span>
      </button>
      {actions && <span className="post-actions">{actions(group)}</span>}
    </>
  );
});

/** Post groups in a virtualised list (thousands stay smooth); a row opens the post. */
export function PostList({ workspace, groups, selection, actions, ...list }: Props) {
  const openPost = useStore((s) => s.openPost);
  const { byId: clients } = useClients(workspace);
  const fallbackZone = workspace.timezone;
  const selected = selection?.selected;
  const toggle = selection?.toggle;
  const selectable = selection?.selectable;
  // The same function while nothing a row shows changes (a scroll, a page arriving, `busy`), so
  // the rows in view are not rendered again.
  const renderRow = useCallback(
    (group: PostGroup) => (
      <PostRow
        group={group}
        client={clients.get(group.userId)}
        fallbackZone={fallbackZone}
        checked={selected === undefined ? undefined : selectable?.(group) ? selected.has(group.id) : null}
        toggle={toggle}
        openPost={openPost}
        actions={actions}
      />
    ),
    [clients, fallbackZone, selected, selectable, toggle, openPost, actions],
  );
  return (
    <VirtualList
      {...list}
      items={groups}
      rowHeight={ROW_HEIGHT}
      itemKey={(g) => g.id}
      rowClassName="post-row"
      rowData={postRowData}
    >
      {renderRow}
    </VirtualList>
  );
}
