import { useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';
import { act } from '../data/queries';
import { selectWorkspace } from '../data/session';
import { useStore } from '../store';
import { ErrorAlert } from './ErrorAlert';
import { draftToInput, emptyDraft, WorkspaceFields, type WorkspaceDraft } from './WorkspaceFields';

interface Props {
  onClose: () => void;
}

/** A modal (native <dialog>: focus trap, Escape closes) to create a workspace and switch to it. */
export function NewWorkspaceDialog({ onClose }: Props) {
  const setView = useStore((s) => s.setView);
  const id = useId();
  const errorId = `${id}-error`;
  const ref = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState<WorkspaceDraft>(emptyDraft);
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);

  // Layout effect: close() must run while the dialog is still in the document, so the browser
  // hands focus back to the "New workspace" button.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const invalid = new Set(Object.keys(fieldErrors(error)));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const res = await act('workspace.create', await draftToInput(draft));
      if (res.ok) {
        await selectWorkspace(res.data.id);
        setView('overview');
        onClose();
        return;
      }
      setError(res.error);
    } catch (err) {
      setError({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
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
          <h2 id={`${id}-title`}>New workspace</h2>
        </header>
        <div className="dialog-body">
          <WorkspaceFields draft={draft} onChange={setDraft} invalid={invalid} errorId={errorId} disabled={busy} />
          {error && (
            <ErrorAlert
              error={error}
              id={errorId}
              onUpgrade={() => {
                setView('settings');
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
            Create workspace
          </button>
        </footer>
      </form>
    </dialog>
  );
}
