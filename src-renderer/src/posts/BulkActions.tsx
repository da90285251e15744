import { useState, type FormEvent } from 'react';
import type { Result, Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import type { ManagedUser } from '../../../src-shared/clients';
import type { PostGroup } from '../../../src-shared/posts';
import { act } from '../data/queries';
import { errorText } from '../errors';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Section';
import { fromLocalInput } from './posts';
import { Action } from '../ui/Action';

interface Props {
  workspace: Workspace;
  clients: ReadonlyMap<string, ManagedUser>;
  /** The posts chosen (still on screen and still changeable). */
  chosen: readonly PostGroup[];
  selectable: readonly PostGroup[];
  allOn: boolean;
  onSelectAll: (on: boolean) => void;
  /** After a bulk action: the selection is cleared. */
  onDone: () => void;
  mayCancel: boolean;
  mayReschedule: boolean;
}

/** Select all, cancel the chosen posts, or move them to one new date and time. */
export function BulkActions(props: Props) {
  const { workspace, chosen, selectable, mayCancel, mayReschedule } = props;
  const [when, setWhen] = useState('');
  const [whenError, setWhenError] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);

  /** Runs one call per chosen post, then says what happened to each. */
  async function bulk(verb: string, change: (g: PostGroup) => Promise<Result<unknown>>) {
    setBusy(true);
    setError(null);
    setNotice('');
    const failures: string[] = [];
    let done = 0;
    for (const g of chosen) {
      const res = await change(g);
      if (res.ok) done++;
      else failures.push(`${props.clients.get(g.userId)?.displayName ?? 'A post'}: ${errorText(res.error)}`);
    }
    setBusy(false);
    props.onDone();
    setNotice(`${verb} ${done} ${done === 1 ? 'post' : 'posts'}.`);
    if (failures.length)
      setError({ code: 'conflict', message: `${failures.length} could not be changed. ${failures.join(' · ')}` });
  }

  function reschedule(e: FormEvent) {
    e.preventDefault();
    const iso = fromLocalInput(when, workspace.timezone);
    setWhenError(iso ? '' : 'Choose the new date and time first.');
    if (iso)
      void bulk('Rescheduled', (g) =>
        act('post.update', { workspaceId: workspace.id, id: g.id, patch: { scheduledTime: iso } }),
      );
  }

  return (
    <>
      <div className="bulk-bar" role="group" aria-label="Bulk actions">
        <label className="check">
          <input
            type="checkbox"
            checked={props.allOn}
            disabled={selectable.length === 0 || busy}
            onChange={(e) => props.onSelectAll(e.target.checked)}
          />
          Select all
        </label>
        <span className="muted" role="status">
          {chosen.length} selected
        </span>
        {mayCancel && (
          <Action tone="danger" opensDialog disabled={chosen.length === 0 || busy} onClick={() => setCancelling(true)}>
            Cancel selected
          </Action>
        )}
        {mayReschedule && (
          <form className="inline-form" noValidate onSubmit={reschedule} aria-label="Reschedule selected posts">
            <Field label="New date and time" error={whenError} hint={`in ${workspace.timezone}`}>
              {(control) => (
                <input {...control} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
              )}
            </Field>
            <button type="submit" className="button" disabled={chosen.length === 0 || busy}>
              Reschedule selected
            </button>
          </form>
        )}
      </div>
      {error && <ErrorAlert error={error} />}
      <Notice>{notice}</Notice>
      {cancelling && (
        <ConfirmDialog
          title={`Cancel ${chosen.length} ${chosen.length === 1 ? 'post' : 'posts'}?`}
          confirmLabel="Cancel posts"
          busy={busy}
          onCancel={() => setCancelling(false)}
          onConfirm={() =>
            void bulk('Cancelled', (g) => act('post.cancel', { workspaceId: workspace.id, id: g.id })).then(() =>
              setCancelling(false),
            )
          }
        >
          <p>What has not gone out yet will not be published. Posts already published stay on the platforms.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
