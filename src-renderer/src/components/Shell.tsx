import { useState } from 'react';
import { useStore, type View } from '../store';
import { useLogo } from './Logo';
import { NewWorkspaceDialog } from './NewWorkspaceDialog';
import { OverviewPage } from './OverviewPage';
import { SettingsPage } from './SettingsPage';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

const views: { id: View; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'settings', label: 'Settings' },
];

/**
 * The main window. Its layout follows the current workspace's layoutType (SPEC §3):
 * "left navigation" shows the Main navigation; "no navigation" is a focused single view with
 * only a header (workspace name, switcher, and a way to reach settings).
 */
export function Shell() {
  const app = useStore((s) => s.app);
  const workspace = useStore((s) => s.workspace);
  const view = useStore((s) => s.view);
  const setView = useStore((s) => s.setView);
  const [creating, setCreating] = useState(false);
  const squareLogo = useLogo(workspace, 'square');

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
          {squareLogo ? <img className="brand-logo" src={squareLogo} alt="" /> : <span className="brand-mark" aria-hidden="true">{name.slice(0, 1).toUpperCase()}</span>}
          <span className="brand-name">{name}</span>
        </div>
        <WorkspaceSwitcher />
        <button type="button" className="button" onClick={() => setCreating(true)} aria-haspopup="dialog">
          New workspace
        </button>
        {!leftNav && (
          <div className="view-toggle" role="group" aria-label="View">
            {views.map((v) => (
              <button
                key={v.id}
                type="button"
                className="button subtle"
                aria-pressed={view === v.id}
                onClick={() => setView(v.id)}
              >
                {v.label}
              </button>
            ))}
          </div>
        )}
        <span className="spacer" />
        {app?.profile && (
          <span className="profile" title={app.profile.email}>
            {app.profile.name}
          </span>
        )}
      </header>
      <div className="body">
        {leftNav && (
          <nav aria-label="Main" className="sidenav">
            <ul>
              {views.map((v) => (
                <li key={v.id}>
                  <button
                    type="button"
                    className="nav-item"
                    aria-current={view === v.id ? 'page' : undefined}
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
            view === 'settings' ? (
              <SettingsPage workspace={workspace} />
            ) : (
              <OverviewPage workspace={workspace} />
            )
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
    </div>
  );
}
