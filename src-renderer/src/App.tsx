import { ConnectionBanner } from './app/ConnectionBanner';
import { HostSignInPage } from './app/HostSignInPage';
import { HostStatus, hostName } from './app/HostStatus';
import { ProfileChooser } from './app/ProfileChooser';
import { RecoveryPage } from './app/RecoveryPage';
import { RefusedChanges } from './app/RefusedChanges';
import { SetupPage } from './app/SetupPage';
import { Shell } from './app/Shell';
import { useAppState } from './data/session';
import { useStore } from './store';

export function App() {
  const fatal = useStore((s) => s.fatal);
  const app = useAppState();

  if (fatal) {
    return (
      <main className="setup" id="main">
        <div className="setup-card">
          <h1>Postroom cannot start here</h1>
          <p role="alert">{fatal}</p>
        </div>
      </main>
    );
  }

  return (
    <>
      <ConnectionBanner />
      <HostStatus />
      <RefusedChanges />
      {app === undefined ? (
        <main className="setup" id="main">
          <p role="status" className="muted">
            Connecting to Postroom…
          </p>
        </main>
      ) : app.recovery ? (
        <RecoveryPage recovery={app.recovery} />
      ) : app.host?.status === 'signed_out' ? (
        <HostSignInPage host={app.host} />
      ) : app.host && app.profile === null ? (
        <main className="setup" id="main">
          <p role="status" className="muted">
            Connecting to the team host at {hostName(app.host.url)}…
          </p>
        </main>
      ) : app.needsSetup ? (
        <SetupPage />
      ) : app.profile === null ? (
        <ProfileChooser />
      ) : (
        <Shell />
      )}
    </>
  );
}
