import { useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { Role } from '../../../src-shared/team';
import { can, type Permission } from '../permissions';
import { useAppState, useCurrentWorkspace, useLogo, useSessionMutation } from '../data/session';
import { useStore, type View } from '../store';
import { ActivityPage } from '../workspace/ActivityPage';
import { ApiPage } from '../workspace/ApiPage';
import { CalendarPage } from '../posts/calendar/CalendarPage';
import { ClientPage } from '../clients/ClientPage';
import { ClientsPage } from '../clients/ClientsPage';
import { Composer } from '../posts/composer/Composer';
import { DraftsPage } from '../posts/DraftsPage';
import { ErrorAlert } from '../ui/ErrorAlert';
import { NetworkBanner, PublishingIndicator, Toasts } from './Notifications';
import { NewWorkspaceDialog } from '../workspace/NewWorkspaceDialog';
import { OverviewPage } from '../workspace/OverviewPage';
import { PlanPage } from '../workspace/PlanPage';
import { PostPage } from '../posts/PostPage';
import { QueuePage } from '../posts/QueuePage';
import { SettingsPage } from '../workspace/SettingsPage';
import { TeamPage } from '../team/TeamPage';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

type NavView = Exclude<View, 'client' | 'post'>;

/** The places in the navigation, and what a role needs to see each one. */
const views: { id: NavView; label: string; needs?: Permission }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'clients', label: 'Clients', needs: 'client.list' },
  { id: 'queue', label: 'Queue', needs: 'post.read' },
  { id: 'calendar', label: 'Calendar', needs: 'post.read' },
  { id: 'drafts', label: 'Drafts', needs: 'post.read' },
  { id: 'team', label: 'Team', needs: 'team.read' },
  { id: 'activity', label: 'Activity', needs: 'activity.read' },
  { id: 'plan', label: 'Plan' },
  { id: 'api', label: 'API' },
  { id: 'settings', label: 'Settings' },
];

const visibleViews = (role: Role | null | undefined) => views.filter((v) => !v.needs || can(role, v.needs));

/** The navigation entry a view belongs to (a client page is under Clients, a post under the queue). */
const navOf = (view: View): NavView => (view === 'client' ? 'clients' : view === 'post' ? 'queue' : view);

/**
 * The main window. Its layout follows the current workspace's layoutType (SPEC §3):
 * "left navigation" shows the Main navigation; "no navigation" is a focused single view with
 * only a header (workspace name, switcher, and a way to reach settings).
 */
export function Shell() {
  const app = useAppState();
  const workspace = useCurrentWorkspace();
  const view = useStore((s) => s.view);
  const setView = useStore((s) => s.setView);
  const clientId = useStore((s) => s.clientId);
  const postId = useStore((s) => s.postId);
  const composer = useStore((s) => s.composer);
  const openComposer = useStore((s) => s.openComposer);
  const closeComposer = useStore((s) => s.closeComposer);
  const signOut = useSessionMutation('session.signOut');
  const [creating, setCreating] = useState(false);
  const squareLogo = useLogo(workspace, 'square');
  const role = app?.role;
  const shown = visibleViews(role);
  // A view the role may not see (after a role change, say) falls back to the overview.
  const current: View = shown.some((v) => v.id === navOf(view)) ? view : 'overview';

  const summary = app?.workspaces.find((w) => w.id === app.currentWorkspaceId);
  const layout = workspace?.layoutType ?? summary?.layoutType ?? 'left navigation';
  const name = workspace?.name ?? summary?.name ?? 'Postroom';
  const leftNav = layout === 'left navigation';

  return (
    <div className="shell" data-layout={layout}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          {squareLogo ? (
            <img className="brand-logo" src={squareLogo} alt="" />
          ) : (
            <span className="brand-mark" aria-hidden="true">
              {name.slice(0, 1).toUpperCase()}
            </span>
          )}
          <span className="brand-name">{name}</span>
        </div>
        <WorkspaceSwitcher />
        <button type="button" className="button" onClick={() => setCreating(true)} aria-haspopup="dialog">
          New workspace
        </button>
        {!leftNav && (
          <div className="view-toggle" role="group" aria-label="View">
            {shown.map((v) => (
              <button
                key={v.id}
                type="button"
                className="button subtle"
                aria-pressed={navOf(current) === v.id}
                onClick={() => setView(v.id)}
              >
                {v.label}
              </button>
            ))}
          </div>
        )}
        {workspace && can(role, 'post.draft') && (
          <button type="button" className="button primary" aria-haspopup="dialog" onClick={() => openComposer()}>
            New post
          </button>
        )}
        <span className="spacer" />
        <PublishingIndicator />
        {app?.profile && (
          <span className="profile" title={app.profile.email}>
            {app.profile.name}
            {role && <span className="muted"> · {role}</span>}
          </span>
        )}
        <button type="button" className="button" disabled={signOut.isPending} onClick={() => signOut.mutate({})}>
          Sign out
        </button>
        {signOut.error && <ErrorAlert error={signOut.error} />}
      </header>
      <NetworkBanner />
      <div className="body">
        {leftNav && (
          <nav aria-label="Main" className="sidenav">
            <ul>
              {shown.map((v) => (
                <li key={v.id}>
                  <button
                    type="button"
                    className="nav-item"
                    aria-current={navOf(current) === v.id ? 'page' : undefined}
                    onClick={() => setView(v.id)}
                  >
                    {v.label}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main id="main" tabIndex={-1} className="content">
          {workspace ? (
            <Page view={current} workspace={workspace} clientId={clientId} postId={postId} />
          ) : app?.currentWorkspaceId ? (
            <p role="status" className="muted">
              Loading workspace…
            </p>
          ) : (
            <div className="page">
              <h1>Choose a workspace</h1>
              <p className="muted">Pick one with the workspace switcher above, or create a new one.</p>
            </div>
          )}
        </main>
      </div>
      {creating && <NewWorkspaceDialog onClose={() => setCreating(false)} />}
      {workspace && composer && (
        <Composer
          key={`${workspace.id}:${composer.postId ?? ''}:${composer.clientId ?? ''}`}
          workspace={workspace}
          request={composer}
          onClose={closeComposer}
        />
      )}
      <Toasts />
    </div>
  );
}

function Page({
  view,
  workspace,
  clientId,
  postId,
}: {
  view: View;
  workspace: Workspace;
  clientId: string | null;
  postId: string | null;
}) {
  switch (view) {
    case 'queue':
      return <QueuePage workspace={workspace} />;
    case 'drafts':
      return <DraftsPage workspace={workspace} />;
    case 'calendar':
      return <CalendarPage workspace={workspace} />;
    case 'post':
      return postId ? (
        <PostPage key={`${workspace.id}:${postId}`} workspace={workspace} postId={postId} />
      ) : (
        <QueuePage workspace={workspace} />
      );
    case 'clients':
      return <ClientsPage workspace={workspace} />;
    case 'client':
      return clientId ? (
        <ClientPage key={`${workspace.id}:${clientId}`} workspace={workspace} clientId={clientId} />
      ) : (
        <ClientsPage workspace={workspace} />
      );
    case 'team':
      return <TeamPage workspace={workspace} />;
    case 'plan':
      return <PlanPage workspace={workspace} />;
    case 'activity':
      return <ActivityPage workspace={workspace} />;
    case 'api':
      // Keyed by workspace: a key revealed for one workspace must not show in another.
      return <ApiPage key={workspace.id} workspace={workspace} />;
    case 'settings':
      return <SettingsPage workspace={workspace} />;
    default:
      return <OverviewPage workspace={workspace} />;
  }
}
