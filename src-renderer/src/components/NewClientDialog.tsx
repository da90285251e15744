import { useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { useStore } from '../store';
import { ClientFields, clientFieldNames, type ClientDraft } from './ClientFields';
import { ErrorAlert } from './ErrorAlert';
import { act } from '../data/queries';

interface Props {
  workspace: Workspace;
  onClose: () => void;
}

/** A modal to add a client (a managed user) to the workspace. */
export function NewClientDialog({ workspace, onClose }: Props) {
  const setView = useStore((s) => s.setView);
  const id = useId();
  const errorId = `${id}-error`;
  const ref = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState<ClientDraft>({
    email: '',
    displayName: '',
    externalId: '',
    timezone: workspace.timezone,
  });
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  // Layout effect: close() must run while the dialog is still in the document, so the browser
  // hands focus back to the "New client" button.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const externalId = draft.externalId.trim();
    const res = await act('client.create', {
      workspaceId: workspace.id,
      client: {
        email: draft.email.trim(),
        displayName: draft.displayName,
        ...(externalId ? { externalId } : {}),
        ...(draft.timezone.trim() ? { timezone: draft.timezone.trim() } : {}),
      },
    });
    setBusy(false);
    if (res.ok) onClose();
    else setError(res.error);
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form noValidate onSubmit={onSubmit} aria-busy={busy}>
        <header className="dialog-header">
          <h2 id={`${id}-title`}>New client</h2>
        </header>
        <div className="dialog-body">
          <fieldset disabled={busy} className="plain">
            <ClientFields
              draft={draft}
              onChange={setDraft}
              invalid={clientFieldNames(fieldErrors(error))}
              errorId={errorId}
            />
          </fieldset>
          {error && (
            <ErrorAlert
              error={error}
              id={errorId}
              onUpgrade={() => {
                setView('plan');
                onClose();
              }}
            />
          )}
        </div>
        <footer className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            Create client
          </button>
        </footer>
      </form>
    </dialog>
  );
}
