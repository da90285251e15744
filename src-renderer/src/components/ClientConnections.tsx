import { useId, useMemo, useState } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Connection } from '../../../src-shared/connections';
import type { ErrorObject } from '../../../src-shared/errors';
import type { QueueSlot } from '../../../src-shared/posts';
import { formatDateTime } from '../format';
import { can } from '../permissions';
import { atHandle, platformName, weekdays } from '../posts';
import { useStore } from '../store';
import { useResult } from '../useResult';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';

const connectionStatus: Record<Connection['status'], string> = {
  active: 'Active',
  needs_reauth: 'Needs re-authentication',
  revoked: 'Removed',
};

const linkStatus = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

/**
 * A client's social accounts (SPEC §3 Connection, §5): their status and token expiry, removal,
 * and the connection links a client opens to connect more.
 */
export function ConnectionsSection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const call = useStore((s) => s.call);
  const role = useStore((s) => s.app?.role);
  const version = useStore((s) => s.connectionsVersion);
  const id = useId();
  const tz = user.timezone;
  const ref = { workspaceId: workspace.id, userId: user.id };
  const manage = can(role, 'connection.manage');
  const connections = useResult(`${user.id}|${version}`, () => call('connection.list', ref));
  const links = useResult(`${user.id}|${version}`, () => call('connection.listLinks', ref));
  const [created, setCreated] = useState<{ connectionUrl: string; expiresAt: string } | null>(null);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function run<T>(work: () => Promise<{ ok: true; data: T } | { ok: false; error: ErrorObject }>, done: (data: T) => void) {
    setBusy(true);
    setError(null);
    setNotice('');
    const res = await work();
    setBusy(false);
    if (res.ok) done(res.data);
    else setError(res.error);
  }

  const list = connections.data ?? [];
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Connections</h2>
      {connections.error && <ErrorAlert error={connections.error} />}
      {connections.data === null && !connections.error ? (
        <p role="status" className="muted">
          Loading connections…
        </p>
      ) : list.length === 0 ? (
        <p className="muted">No social accounts connected yet. Send {user.displayName} a connection link.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-labelledby={`${id}-title`}>
            <thead>
              <tr>
                <th scope="col">Platform</th>
                <th scope="col">Account</th>
                <th scope="col">Status</th>
                <th scope="col">Token expires</th>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{platformName(c.platform)}</th>
                  <td>
                    {atHandle(c.handle)}
                    {c.displayName && c.displayName !== c.handle && <span className="muted"> · {c.displayName}</span>}
                  </td>
                  <td>
                    <span className={c.status === 'active' ? 'badge badge-active' : 'badge badge-pending'}>{connectionStatus[c.status]}</span>
                    {c.status === 'needs_reauth' && <p className="hint">Reconnect: Send a new connection link</p>}
                  </td>
                  <td>{c.tokenExpiresAt ? <time dateTime={c.tokenExpiresAt}>{formatDateTime(c.tokenExpiresAt, tz)}</time> : <span className="muted">No expiry</span>}</td>
                  {manage && (
                    <td>
                      <button
                        type="button"
                        className="button small danger"
                        disabled={busy}
                        aria-haspopup="dialog"
                        aria-label={`Remove ${platformName(c.platform)} ${atHandle(c.handle)}`}
                        onClick={() => setRemoving(c)}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3 id={`${id}-links`} className="subheading">
        Connection links
      </h3>
      <p className="muted">
        A connection link opens a page where {user.displayName} signs in to each platform and allows posting. It works for 7
        days unless revoked.
      </p>
      {manage && (
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              void run(
                () => call('connection.createLink', ref),
                (data) => {
                  setCreated(data);
                  links.reload();
                },
              )
            }
          >
            New connection link
          </button>
        </div>
      )}
      {error && <ErrorAlert error={error} />}
      <p role="status" className="notice">
        {notice}
      </p>
      {created && (
        <div className="secret-panel">
          <CopyField label="Connection link" value={created.connectionUrl} hint={`Expires ${formatDateTime(created.expiresAt, tz)}.`} />
          <p>
            <a className="button small" href={created.connectionUrl} target="_blank" rel="noreferrer">
              Open
            </a>
          </p>
        </div>
      )}
      {links.data && links.data.length > 0 && (
        <table className="table" aria-labelledby={`${id}-links`}>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              {manage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {links.data.map((l) => (
              <tr key={l.id}>
                <td>
                  <time dateTime={l.createdAt}>{formatDateTime(l.createdAt, tz)}</time>
                </td>
                <td>
                  <time dateTime={l.expiresAt}>{formatDateTime(l.expiresAt, tz)}</time>
                </td>
                <td>
                  <span className={`badge badge-${l.status}`}>{linkStatus[l.status]}</span>
                </td>
                {manage && (
                  <td>
                    {l.status === 'active' && (
                      <button
                        type="button"
                        className="button small"
                        disabled={busy}
                        aria-label={`Revoke the link created ${formatDateTime(l.createdAt, tz)}`}
                        onClick={() =>
                          void run(
                            () => call('connection.revokeLink', { ...ref, linkId: l.id }),
                            () => {
                              setNotice('The link was revoked: it no longer opens.');
                              setCreated(null);
                              links.reload();
                            },
                          )
                        }
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {removing && (
        <ConfirmDialog
          title={`Remove ${platformName(removing.platform)} ${atHandle(removing.handle)}?`}
          confirmLabel="Remove connection"
          busy={busy}
          onCancel={() => setRemoving(null)}
          onConfirm={() =>
            void run(
              () => call('connection.remove', { ...ref, platformId: removing.platformId }),
              () => {
                setNotice(`${platformName(removing.platform)} ${atHandle(removing.handle)} was removed.`);
                setRemoving(null);
                connections.reload();
              },
            ).then(() => setRemoving(null))
          }
        >
          <p>Its tokens leave the keychain at once. Posts waiting for this account will fail until it is connected again.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** `dailyPostsLeft` of today in the client's zone, as a meter (SPEC §4 daily limit). */
export function DailyUsage({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const call = useStore((s) => s.call);
  const version = useStore((s) => s.postsVersion);
  const id = useId();
  const usage = useResult(`${user.id}|${version}`, () => call('post.dailyUsage', { workspaceId: workspace.id, userId: user.id }));
  const u = usage.data;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Daily usage</h2>
      {usage.error && <ErrorAlert error={usage.error} />}
      {u && (
        <>
          <div
            role="meter"
            aria-labelledby={`${id}-label`}
            aria-valuenow={u.dailyPostsLeft}
            aria-valuemin={0}
            aria-valuemax={u.limit}
            aria-valuetext={`${u.dailyPostsLeft} of ${u.limit} posts left today`}
            className="meter"
          >
            <span className="meter-fill" style={{ width: `${u.limit > 0 ? (100 * u.dailyPostsLeft) / u.limit : 0}%` }} />
          </div>
          <p id={`${id}-label`} className="meter-label">
            {u.dailyPostsLeft} of {u.limit} posts left today
          </p>
          <p className="hint">Today is {u.day} in {user.timezone}. Each platform a post goes to counts once.</p>
        </>
      )}
    </section>
  );
}

interface SlotRow extends QueueSlot {
  key: number;
}

let slotKeys = 0;
const withKeys = (slots: readonly QueueSlot[]): SlotRow[] => slots.map((s) => ({ ...s, key: ++slotKeys }));

/** The client's weekly queue slots (SPEC §4): "add to queue" takes the next free one. */
export function QueueSlotsSection({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const call = useStore((s) => s.call);
  const role = useStore((s) => s.app?.role);
  const id = useId();
  const editable = can(role, 'post.schedule');
  const ref = { workspaceId: workspace.id, userId: user.id };
  const slots = useResult(user.id, () => call('queue.getSlots', ref));
  const [rows, setRows] = useState<SlotRow[] | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const loaded = useMemo(() => (slots.data ? withKeys(slots.data) : null), [slots.data]);
  const shown = rows ?? loaded;

  const change = (next: SlotRow[]) => {
    setRows(next);
    setNotice('');
  };

  async function save() {
    if (!shown) return;
    setBusy(true);
    setError(null);
    const res = await call('queue.setSlots', { ...ref, slots: shown.map(({ weekday, time }) => ({ weekday, time })) });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setRows(withKeys(res.data));
    setNotice(res.data.length === 0 ? 'Saved: no queue slots.' : `Saved ${res.data.length} queue ${res.data.length === 1 ? 'slot' : 'slots'}.`);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Queue slots</h2>
      <p className="muted">Weekly times in {user.timezone}. "Add to queue" takes the next free slot on a day with room.</p>
      {slots.error && <ErrorAlert error={slots.error} />}
      {shown && (
        <form
          aria-labelledby={`${id}-title`}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {shown.length === 0 ? (
            <p className="muted">No queue slots yet.</p>
          ) : (
            <ul className="slot-list" aria-label="Slots">
              {shown.map((row, i) => (
                <li key={row.key} className="slot-row">
                  <select
                    aria-label={`Weekday of slot ${i + 1}`}
                    value={row.weekday}
                    disabled={!editable || busy}
                    onChange={(e) => change(shown.map((r) => (r.key === row.key ? { ...r, weekday: Number(e.target.value) } : r)))}
                  >
                    {weekdays.map((day, d) => (
                      <option key={day} value={d + 1}>
                        {day}
                      </option>
                    ))}
                  </select>
                  <input
                    type="time"
                    aria-label={`Time of slot ${i + 1}`}
                    value={row.time}
                    required
                    disabled={!editable || busy}
                    onChange={(e) => change(shown.map((r) => (r.key === row.key ? { ...r, time: e.target.value.slice(0, 5) } : r)))}
                  />
                  {editable && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      aria-label={`Remove slot ${i + 1}`}
                      onClick={() => change(shown.filter((r) => r.key !== row.key))}
                    >
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {error && <ErrorAlert error={error} />}
          <p role="status" className="notice">
            {notice}
          </p>
          {editable && (
            <div className="button-row">
              <button type="button" className="button" disabled={busy} onClick={() => change([...shown, { weekday: 1, time: '09:00', key: ++slotKeys }])}>
                Add slot
              </button>
              <button type="submit" className="button primary" disabled={busy}>
                Save slots
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}
