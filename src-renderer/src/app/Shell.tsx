import { useState } from 'react';
import { useAppState, useCurrentWorkspace, useLogo, useSessionMutation } from '../data/session';
import { useStore, type View } from '../store';
import { Composer } from '../posts/composer/Composer';
import { ErrorAlert } from '../ui/ErrorAlert';
import { NetworkBanner, PublishingIndicator, Toasts } from './Notifications';
import { NewWorkspaceDialog } from '../workspace/NewWorkspaceDialog';
import { navOf, Navigation, visibleViews } from './Navigation';
import { Page } from './Page';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';
import { Action } from '../ui/Action';
import { NewPostButton } from '../posts/NewPostButton';

/**
 * The main window. Its layout follows the current workspace's layoutType (SPEC §3):
 * "left navigation" shows the Main navigation; "no navigation" is a focused single view with
 * only a header (workspace name, switcher, and a way to reach settings).
 */
export function Shell() {
  const app = useAppState();
  const workspace = useCurrentWorkspace();
  const view = useStore((s) => s.view);
  const clientId = useStore((s) => s.clientId);
  const postId = useStore((s) => s.postId);
  const composer = useStore((s) => s.composer);
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
        <Action opensDialog onClick={() => setCreating(true)}>
          New workspace
        </Action>
        {!leftNav && <Navigation kind="toggle" places={shown} current={current} />}
        {workspace && <NewPostButton />}
        <span className="spacer" />
        <PublishingIndicator />
        {app?.profile && (
          <span className="profile" title={app.profile.email}>
            {app.profile.name}
            {role && <span className="muted"> · {role}</span>}
          </span>
        )}
        <Action disabled={signOut.isPending} onClick={() => signOut.mutate({})}>
          Sign out
        </Action>
        {signOut.error && <ErrorAlert error={signOut.error} />}
      </header>
      <NetworkBanner />
      <div className="body">
        {leftNav && <Navigation kind="nav" places={shown} current={current} />}
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
