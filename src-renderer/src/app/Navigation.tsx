import type { ComponentType } from 'react';
import type { Role } from '../../../src-shared/team';
import { ReviewCount } from '../approvals/ReviewCount';
import { can, type Permission } from '../permissions';
import { useStore, type View } from '../store';

type NavView = Exclude<View, 'client' | 'post'>;

/** The places in the navigation, and what a role needs to see each one. */
const views: { id: NavView; label: string; needs?: Permission; Count?: ComponentType }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'clients', label: 'Clients', needs: 'client.list' },
  { id: 'queue', label: 'Queue', needs: 'post.read' },
  { id: 'calendar', label: 'Calendar', needs: 'post.read' },
  { id: 'drafts', label: 'Drafts', needs: 'post.read' },
  { id: 'review', label: 'Reviews', needs: 'post.read', Count: ReviewCount },
  { id: 'team', label: 'Team', needs: 'team.read' },
  { id: 'activity', label: 'Activity', needs: 'activity.read' },
  { id: 'plan', label: 'Plan' },
  { id: 'api', label: 'API' },
  { id: 'settings', label: 'Settings' },
];

export const visibleViews = (role: Role | null | undefined) => views.filter((v) => !v.needs || can(role, v.needs));

/** The navigation entry a view belongs to (a client page is under Clients, a post under the queue). */
export const navOf = (view: View): NavView => (view === 'client' ? 'clients' : view === 'post' ? 'queue' : view);

/**
 * The places a role may go, as the Main navigation (layout "left navigation") or as a group of
 * toggle buttons in the header ("no navigation"); the current one is marked either way.
 */
export function Navigation({ kind, places, current }: { kind: 'nav' | 'toggle'; places: typeof views; current: View }) {
  const setView = useStore((s) => s.setView);
  const buttons = places.map((v) => {
    const here = navOf(current) === v.id;
    const marks =
      kind === 'nav'
        ? { className: 'nav-item', 'aria-current': here ? ('page' as const) : undefined }
        : { className: 'button subtle', 'aria-pressed': here };
    return (
      <button key={v.id} type="button" {...marks} onClick={() => setView(v.id)}>
        {v.label}
        {v.Count && <v.Count />}
      </button>
    );
  });
  return kind === 'nav' ? (
    <nav aria-label="Main" className="sidenav">
      <ul>
        {buttons.map((b) => (
          <li key={b.key}>{b}</li>
        ))}
      </ul>
    </nav>
  ) : (
    <div className="view-toggle" role="group" aria-label="View">
      {buttons}
    </div>
  );
}
