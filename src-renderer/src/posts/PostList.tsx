import type { ReactNode } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { PostGroup } from '../../../src-shared/posts';
import { excerpt, formatInZone, platformName, platformOf, stateLabel } from './posts';
import { useStore } from '../store';
import { VirtualList } from '../ui/VirtualList';
import { ApprovalBadge } from '../approvals/ApprovalBadge';

const ROW_HEIGHT = 76;

interface Props {
  label: string;
  groups: readonly PostGroup[];
  clients: ReadonlyMap<string, ManagedUser>;
  /** Zone for posts whose client is unknown here. */
  fallbackZone: string;
  busy?: boolean;
  /** Row checkboxes, for bulk actions; rows for which `selectable` is false get none. */
  selection?: {
    selected: ReadonlySet<string>;
    toggle(id: string, on: boolean): void;
    selectable(group: PostGroup): boolean;
  };
  /** More buttons at the end of a row. */
  actions?: (group: PostGroup) => ReactNode;
  /** The whole list's length when only its first `groups` are loaded (see VirtualList). */
  total?: number;
  onNeedMore?: () => void;
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

/** Post groups in a virtualised list (thousands stay smooth); a row opens the post. */
export function PostList({ label, groups, clients, fallbackZone, busy, selection, actions, total, onNeedMore }: Props) {
  const openPost = useStore((s) => s.openPost);
  return (
    <VirtualList
      label={label}
      items={groups}
      rowHeight={ROW_HEIGHT}
      busy={busy}
      total={total}
      onNeedMore={onNeedMore}
      itemKey={(g) => g.id}
      rowClassName="post-row"
      rowData={(g) => ({ 'data-post-id': g.id })}
    >
      {(group) => {
        const client = clients.get(group.userId);
        const zone = client?.timezone ?? fallbackZone;
        const name = client?.displayName ?? 'Client';
        const summary = `${name}: ${excerpt(group.text, 40)}`;
        return (
          <>
            {selection && (
              <span className="post-check">
                {selection.selectable(group) && (
                  <input
                    type="checkbox"
                    aria-label={`Select ${summary}`}
                    checked={selection.selected.has(group.id)}
                    onChange={(e) => selection.toggle(group.id, e.target.checked)}
                  />
                )}
              </span>
            )}
            <button type="button" className="client-row post-open" onClick={() => void openPost(group.id)}>
              <span className="client-main">
                <span className="post-line">
                  <span className="client-name">{name}</span>
                  <span className="muted">
                    {' · '}
                    {group.scheduledTime ? (
                      <time dateTime={group.scheduledTime}>{formatInZone(group.scheduledTime, zone)}</time>
                    ) : (
                      'No time (draft)'
                    )}
                  </span>
                </span>
                <span className="post-excerpt">{excerpt(group.text)}</span>
                <span className="muted post-targets">
                  {targetNames(group)}
                  {group.mediaCount > 0 && ` · ${group.mediaCount} ${group.mediaCount === 1 ? 'image' : 'images'}`}
                </span>
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
      }}
    </VirtualList>
  );
}
