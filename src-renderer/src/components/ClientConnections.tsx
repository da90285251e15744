import { useId, useMemo, useState, type FormEvent } from 'react';
import type { ResponseOf, Workspace } from '../../../src-shared/contract';
import type { ManagedUser } from '../../../src-shared/clients';
import type { Connection, PostAsPage } from '../../../src-shared/connections';
import type { ErrorObject } from '../../../src-shared/errors';
import type { QueueSlot } from '../../../src-shared/posts';
import { formatDateTime } from '../format';
import { can } from '../permissions';
import { atHandle, platformName, weekdays } from '../posts';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { ErrorAlert } from './ErrorAlert';
import { useRole } from '../data/session';
import { act, useContract } from '../data/queries';

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
  const role = useRole();
  const id = useId();
  const tz = user.timezone;
  const ref = { workspaceId: workspace.id, userId: user.id };
  const manage = can(role, 'connection.manage');
  const connections = useContract('connection.list', ref);
  const links = useContract('connection.listLinks', ref);
  const [created, setCreated] = useState<{ connectionUrl: string; expiresAt: string } | null>(null);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function run<T>(
    work: () => Promise<{ ok: true; data: T } | { ok: false; error: ErrorObject }>,
    done: (data: T) => void,
  ) {
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
      {connections.isPending ? (
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
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <ConnectionRow
                  key={c.id}
                  workspace={workspace}
                  user={user}
                  connection={c}
                  manage={manage}
                  busy={busy}
                  onRemove={() => setRemoving(c)}
                  onReconnect={() =>
                    void run(
                      () => act('connection.reauthenticate', { ...ref, platformId: c.platformId }),
                      ({ authorizationUrl }) => {
                        window.open(authorizationUrl, '_blank', 'noopener');
                        setNotice(
                          `Finish signing in in the browser window (${platformName(c.platform)} ${atHandle(c.handle)}).`,
                        );
                      },
                    )
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {manage && workspace.integrations.some((i) => i.platform === 'bluesky') && (
        <BlueskyAppPasswordForm workspace={workspace} user={user} onConnected={(message) => setNotice(message)} />
      )}

      <h3 id={`${id}-links`} className="subheading">
        Connection links
      </h3>
      <p className="muted">
        A connection link opens a page where {user.displayName} signs in to each platform and allows posting. It works
        for 7 days unless revoked.
      </p>
      {manage && (
        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              void run(
                () => act('connection.createLink', ref),
                (data) => {
                  setCreated(data);
                  links.refetch();
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
          <CopyField
            label="Connection link"
            value={created.connectionUrl}
            hint={`Expires ${formatDateTime(created.expiresAt, tz)}.`}
          />
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
                            () => act('connection.revokeLink', { ...ref, linkId: l.id }),
                            () => {
                              setNotice('The link was revoked: it no longer opens.');
                              setCreated(null);
                              links.refetch();
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
              () => act('connection.remove', { ...ref, platformId: removing.platformId }),
              () => {
                setNotice(`${platformName(removing.platform)} ${atHandle(removing.handle)} was removed.`);
                setRemoving(null);
                connections.refetch();
              },
            ).then(() => setRemoving(null))
          }
        >
          <p>
            Its tokens leave the keychain at once. Posts waiting for this account will fail until it is connected again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

type Credentials = ResponseOf<'connection.credentials'>;

interface ConnectionRowProps {
  workspace: Workspace;
  user: ManagedUser;
  connection: Connection;
  manage: boolean;
  busy: boolean;
  onRemove: () => void;
  onReconnect: () => void;
}

/**
 * One connection, with what the signed-in person may do with its credentials (seed 003): who may
 * reconnect it when it needs re-authentication, whose credentials their posts use, "Reconnect"
 * for those who may re-authenticate, and LinkedIn's "post as".
 */
function ConnectionRow({ workspace, user, connection: c, manage, busy, onRemove, onReconnect }: ConnectionRowProps) {
  const tz = user.timezone;
  const name = `${platformName(c.platform)} ${atHandle(c.handle)}`;
  const creds = useContract('connection.credentials', {
    workspaceId: workspace.id,
    userId: user.id,
    platformId: c.platformId,
  });
  const cr = creds.data;
  const who = cr?.whoMayReconnect.length ? cr.whoMayReconnect.join(' or ') : 'the owner';
  return (
    <tr>
      <th scope="row">{platformName(c.platform)}</th>
      <td>
        {atHandle(c.handle)}
        {c.displayName && c.displayName !== c.handle && <span className="muted"> · {c.displayName}</span>}
        {c.platform === 'linkedin' && cr && (
          <PostAsForm workspace={workspace} user={user} connection={c} credentials={cr} who={who} />
        )}
      </td>
      <td>
        <span className={c.status === 'active' ? 'badge badge-active' : 'badge badge-pending'}>
          {connectionStatus[c.status]}
        </span>
        {c.status === 'needs_reauth' && cr && <p className="hint">Needs re-authentication — {who} can reconnect it</p>}
        {cr?.mode && (
          <p className="hint">
            Posting with: {cr.mode === 'owner' ? "the owner's credentials" : 'your own credentials'}
          </p>
        )}
        {creds.error && <ErrorAlert error={creds.error} />}
      </td>
      <td>
        {c.tokenExpiresAt ? (
          <time dateTime={c.tokenExpiresAt}>{formatDateTime(c.tokenExpiresAt, tz)}</time>
        ) : (
          <span className="muted">No expiry</span>
        )}
      </td>
      <td>
        <div className="button-row">
          {cr?.canReauthenticate && (
            <button
              type="button"
              className="button small"
              disabled={busy}
              aria-label={`Reconnect ${name}`}
              onClick={onReconnect}
            >
              Reconnect
            </button>
          )}
          {manage && (
            <button
              type="button"
              className="button small danger"
              disabled={busy}
              aria-haspopup="dialog"
              aria-label={`Remove ${name}`}
              onClick={onRemove}
            >
              Remove
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

/**
 * LinkedIn's author: the person who connected, or an organisation page they administer. With
 * organisation pages on, "Find pages" lists the pages by name and a select replaces the URN field;
 * until then (or when the list cannot be loaded) the URN is typed.
 */
function PostAsForm({
  workspace,
  user,
  connection: c,
  credentials,
  who,
}: {
  workspace: Workspace;
  user: ManagedUser;
  connection: Connection;
  credentials: Credentials;
  who: string;
}) {
  const id = useId();
  const [value, setValue] = useState(credentials.postAs ?? '');
  // The stored choice changed (saved here or elsewhere): the field follows it.
  const [stored, setStored] = useState(credentials.postAs);
  if (stored !== credentials.postAs) {
    setStored(credentials.postAs);
    setValue(credentials.postAs ?? '');
  }
  const [pages, setPages] = useState<PostAsPage[] | null>(null);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<'finding' | 'saving' | null>(null);
  const locked = !credentials.canChangePostAs;
  const pagesOn = workspace.integrations.some((i) => i.platform === 'linkedin' && i.organizationPages);
  const ref = { workspaceId: workspace.id, userId: user.id, platformId: c.platformId };
  const nameOf = (urn: string) => pages?.find((p) => p.urn === urn)?.name ?? urn;

  async function findPages() {
    if (busy || locked) return;
    setBusy('finding');
    setError(null);
    setNotice('');
    const res = await act('connection.pages', ref);
    setBusy(null);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    if (res.data.length === 0) {
      setNotice(`No pages found: ${c.displayName || atHandle(c.handle)} administers no LinkedIn page.`);
      return;
    }
    setPages(res.data);
    setNotice(`${res.data.length} ${res.data.length === 1 ? 'page' : 'pages'} found. Choose one and save.`);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy || locked) return;
    setBusy('saving');
    setError(null);
    setNotice('');
    const postAs = value.trim() || null;
    const res = await act('connection.setPostAs', { ...ref, postAs });
    setBusy(null);
    if (res.ok)
      setNotice(res.data.postAs ? `Posts as ${nameOf(res.data.postAs)}.` : 'Posts as the person who connected.');
    else setError(res.error);
  }

  const hint = locked
    ? `Only ${who} can change who this account posts as.`
    : pages
      ? 'Choose the person who connected or one of the pages they administer.'
      : pagesOn
        ? 'Empty posts as the person who connected. "Find pages" lists the pages they administer.'
        : 'Empty posts as the person who connected. Posting as a page needs organisation pages turned on in the LinkedIn integration.';
  const fieldProps = {
    id: `${id}-post-as`,
    disabled: locked || busy !== null,
    'aria-describedby': `${id}-post-as-hint`,
    'aria-invalid': error ? true : undefined,
  } as const;

  return (
    <form
      className="inline-form"
      aria-label={`Post as for ${platformName(c.platform)} ${atHandle(c.handle)}`}
      onSubmit={(e) => void onSubmit(e)}
      aria-busy={busy !== null}
    >
      <label htmlFor={`${id}-post-as`}>Post as</label>
      {pages ? (
        <select {...fieldProps} value={value} onChange={(e) => setValue(e.target.value)}>
          <option value="">The person who connected</option>
          {pages.map((p) => (
            <option key={p.urn} value={p.urn}>
              {p.name}
            </option>
          ))}
          {/* A choice stored before (typed, or a page no longer listed) stays selectable until changed. */}
          {value !== '' && !pages.some((p) => p.urn === value) && <option value={value}>{value}</option>}
        </select>
      ) : (
        <input
          {...fieldProps}
          type="text"
          autoComplete="off"
          placeholder="urn:li:organization:12345"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      )}
      {pagesOn && !locked && !pages && (
        <button type="button" className="button small" disabled={busy !== null} onClick={() => void findPages()}>
          {busy === 'finding' ? 'Finding pages…' : 'Find pages'}
        </button>
      )}
      <button type="submit" className="button small" disabled={locked || busy !== null}>
        Save
      </button>
      <p className="hint" id={`${id}-post-as-hint`}>
        {hint}
      </p>
      {error && <ErrorAlert error={error} />}
      <p role="status" className="notice">
        {notice}
      </p>
    </form>
  );
}

/** Bluesky's fallback (SPEC §5): a handle and an app password, never the account password. */
function BlueskyAppPasswordForm({
  workspace,
  user,
  onConnected,
}: {
  workspace: Workspace;
  user: ManagedUser;
  onConnected: (message: string) => void;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const [identifier, setIdentifier] = useState('');
  const [appPassword, setAppPassword] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const res = await act('connection.addWithAppPassword', {
      workspaceId: workspace.id,
      userId: user.id,
      platform: 'bluesky',
      identifier: identifier.trim(),
      appPassword,
    });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setIdentifier('');
    setAppPassword('');
    onConnected(`Connected Bluesky: ${res.data.displayName}.`);
  }

  return (
    <form
      aria-labelledby={`${id}-title`}
      noValidate
      onSubmit={(e) => void onSubmit(e)}
      aria-busy={busy}
      className="subform"
    >
      <h3 id={`${id}-title`} className="subheading">
        Connect Bluesky with an app password
      </h3>
      <p className="hint" id={`${id}-note`}>
        Create an app password in Bluesky&rsquo;s settings; never enter your account password.
      </p>
      <fieldset disabled={busy} className="plain">
        <div className="field">
          <label htmlFor={`${id}-handle`}>Bluesky handle</label>
          <input
            id={`${id}-handle`}
            type="text"
            autoComplete="off"
            placeholder="name.bsky.social"
            value={identifier}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => setIdentifier(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>App password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="off"
            value={appPassword}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${errorId} ${id}-note` : `${id}-note`}
            onChange={(e) => setAppPassword(e.target.value)}
          />
        </div>
      </fieldset>
      {error && <ErrorAlert error={error} id={errorId} />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect Bluesky'}
        </button>
      </div>
    </form>
  );
}

/** `dailyPostsLeft` of today in the client's zone, as a meter (SPEC §4 daily limit). */
export function DailyUsage({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const id = useId();
  const usage = useContract('post.dailyUsage', { workspaceId: workspace.id, userId: user.id });
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
            <span
              className="meter-fill"
              style={{ width: `${u.limit > 0 ? (100 * u.dailyPostsLeft) / u.limit : 0}%` }}
            />
          </div>
          <p id={`${id}-label`} className="meter-label">
            {u.dailyPostsLeft} of {u.limit} posts left today
          </p>
          <p className="hint">
            Today is {u.day} in {user.timezone}. Each platform a post goes to counts once.
          </p>
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
  const role = useRole();
  const id = useId();
  const editable = can(role, 'post.schedule');
  const ref = { workspaceId: workspace.id, userId: user.id };
  const slots = useContract('queue.getSlots', ref);
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
    const res = await act('queue.setSlots', { ...ref, slots: shown.map(({ weekday, time }) => ({ weekday, time })) });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setRows(withKeys(res.data));
    setNotice(
      res.data.length === 0
        ? 'Saved: no queue slots.'
        : `Saved ${res.data.length} queue ${res.data.length === 1 ? 'slot' : 'slots'}.`,
    );
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Queue slots</h2>
      <p className="muted">
        Weekly times in {user.timezone}. "Add to queue" takes the next free slot on a day with room.
      </p>
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
                    onChange={(e) =>
                      change(shown.map((r) => (r.key === row.key ? { ...r, weekday: Number(e.target.value) } : r)))
                    }
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
                    onChange={(e) =>
                      change(shown.map((r) => (r.key === row.key ? { ...r, time: e.target.value.slice(0, 5) } : r)))
                    }
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
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => change([...shown, { weekday: 1, time: '09:00', key: ++slotKeys }])}
              >
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
