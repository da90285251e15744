import type { HostConnection } from '../../../src-shared/contract';
import { hostName } from './HostStatus';
import { TeamHostForm } from './TeamHostForm';

/** A desk in team mode without a session on its host (signed out, or ended by the host): sign in again. */
export function HostSignInPage({ host }: { host: HostConnection }) {
  return (
    <main className="setup" id="main">
      <div className="setup-card">
        <h1>Sign in to {host.workspaceName ?? 'your team'}</h1>
        <p className="lede">
          This computer works with the team host at {hostName(host.url)}.{' '}
          {host.endedReason ? `The host ended your session (${host.endedReason}).` : 'Sign in with your account there.'}
        </p>
        <TeamHostForm hostUrl={host.url} way="account" />
      </div>
    </main>
  );
}
