import { platformAccount, useAccountNames } from '../connections/names';
import { useContract } from '../data/queries';
import { useStore, type Toast } from '../store';
import { Action } from '../ui/Action';

/**
 * SPEC §4 offline: posts stay queued; the banner says so while the platforms cannot be reached,
 * while the OS keychain is locked (issue 9 item 14), which holds publishing the same way, or
 * while the disk is full (item 10).
 */
export function NetworkBanner() {
  const online = useStore((s) => s.online);
  const keychainLocked = useStore((s) => s.keychainLocked);
  const diskFull = useStore((s) => s.diskFull);
  const message = diskFull
    ? 'The disk is full — Postroom cannot save changes until you free some space; nothing is lost'
    : keychainLocked
      ? 'The keychain is locked — publishing is paused until you unlock it; nothing is lost'
      : online
        ? ''
        : 'Offline — posts will go out when the connection is back';
  return (
    <div role="status" aria-live="polite" className={message ? 'banner banner-warning' : 'visually-hidden'}>
      {message}
    </div>
  );
}

/** A small sign in the header while a post on screen is being published. */
export function PublishingIndicator() {
  const publishing = useStore((s) => Object.values(s.publishing).some(Boolean));
  return (
    <span role="status" aria-live="polite" className={publishing ? 'publishing' : 'visually-hidden'}>
      {publishing ? (
        <>
          <span className="spinner" aria-hidden="true" />
          Publishing…
        </>
      ) : (
        ''
      )}
    </span>
  );
}

/** "Post to X @clientonx failed: …": the account by its handle (the post says whose it is). */
function ProblemMessage({ toast: t }: { toast: Extract<Toast, { kind: 'problem' }> }) {
  const post = useContract('post.get', { workspaceId: t.workspaceId, id: t.postGroupId });
  const accountOf = useAccountNames(t.workspaceId, post.data?.userId ?? null);
  const account = post.data ? accountOf(t.platformId) : platformAccount(t.platformId);
  return (
    <p className="toast-message">
      Post to {account} {t.state === 'failed' ? 'failed' : 'needs attention'}: {t.error}
    </p>
  );
}

/** "Casey Client Co approved a post": a client's decision through their approval link. */
const decisionMessage = (t: Extract<Toast, { kind: 'decision' }>): string =>
  t.decision === 'requestChanges'
    ? `${t.by} asked for changes to a post.`
    : `${t.by} approved a post${t.final ? ': it goes out at its time.' : '.'}`;

/** `delivery.problem` and client `approval.decided` events: a toast each, with the way to its post. */
export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismissToast);
  const openPost = useStore((s) => s.openPost);
  if (toasts.length === 0) return null;
  return (
    <section className="toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} role="alert" className="toast">
          {t.kind === 'problem' ? <ProblemMessage toast={t} /> : <p className="toast-message">{decisionMessage(t)}</p>}
          <div className="button-row">
            <Action
              small
              onClick={() => {
                dismiss(t.id);
                void openPost(t.postGroupId, t.workspaceId);
              }}
            >
              Open post
            </Action>
            <Action small tone="subtle" label="Dismiss" onClick={() => dismiss(t.id)}>
              ✕
            </Action>
          </div>
        </div>
      ))}
    </section>
  );
}
