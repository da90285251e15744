import type { HostConnection } from '../../../src-shared/contract';
import { useAppState } from '../data/session';

/** The host as a person names it: its name and port, without the scheme. */
export const hostName = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** What the connection to the team host means for the person, in their words. */
export function hostStatusText(host: HostConnection): string {
  const where = `${host.workspaceName ?? 'the team host'} (${hostName(host.url)})`;
  switch (host.status) {
    case 'connected':
      return `Connected to ${where}.`;
    case 'offline':
      return `Offline: ${where} cannot be reached. You see what was last loaded; reconnecting…`;
    case 'signed_out':
      return `Signed out of ${where}.`;
  }
}

/** On a desk in team mode: whether the team host is connected, offline or signed out (issue 12). */
export function HostStatus() {
  const host = useAppState()?.host;
  if (!host) return null;
  return (
    <div
      role="status"
      aria-live="polite"
      aria-label="Team host"
      className={host.status === 'connected' ? 'banner banner-info host-status' : 'banner banner-warning host-status'}
    >
      {hostStatusText(host)}
    </div>
  );
}
