import { useState } from 'react';
import type { AppState } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { call } from '../data/contract';
import { setAppState } from '../data/session';
import { formatDateTime } from '../format';
import { ErrorAlert } from '../ui/ErrorAlert';

/**
 * The database failed its integrity check at open (issue 9 item 11): say so plainly and offer
 * the latest automatic backup. The damaged file is kept aside, never deleted.
 */
export function RecoveryPage({ recovery }: { recovery: NonNullable<AppState['recovery']> }) {
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  async function restore() {
    setBusy(true);
    setError(null);
    const res = await call('app.restoreLatestBackup', {});
    setBusy(false);
    if (res.ok) setAppState(res.data);
    else setError(res.error);
  }

  return (
    <main className="setup" id="main">
      <div className="setup-card">
        <h1>Postroom’s data needs repair</h1>
        <p role="alert">
          The database is damaged, so Postroom did not open it and changed nothing. ({recovery.problem})
        </p>
        {recovery.latestBackup ? (
          <>
            <p>
              The latest automatic backup is from <b>{formatDateTime(recovery.latestBackup.takenAt)}</b>. Restoring it
              brings back everything up to then; the damaged file is kept in the data folder’s “damaged” folder.
            </p>
            <button type="button" className="primary" disabled={busy} onClick={() => void restore()}>
              {busy ? 'Restoring…' : 'Restore the latest backup'}
            </button>
          </>
        ) : (
          <p>There is no automatic backup yet. Restore a backup of your own with the postroom restore command.</p>
        )}
        {error ? <ErrorAlert error={error} /> : null}
      </div>
    </main>
  );
}
