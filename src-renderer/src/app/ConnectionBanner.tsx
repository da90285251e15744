import { useAppState } from '../data/session';
import { useStore } from '../store';

/** A small banner while the browser host's socket is down; calls resume when it is back. */
export function ConnectionBanner() {
  const connection = useStore((s) => s.connection);
  const hasState = useAppState() !== undefined;
  const show = connection === 'reconnecting' || (connection === 'connecting' && hasState);
  return (
    <div role="status" aria-live="polite" className={show ? 'banner banner-warning' : 'visually-hidden'}>
      {show ? 'Connection to Postroom lost. Reconnecting…' : ''}
    </div>
  );
}
