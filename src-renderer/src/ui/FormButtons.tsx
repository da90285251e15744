import { Action } from './Action';

/** Cancel and the form's submit button, as every form and dialog ends. */
export function FormButtons({
  busy,
  submit,
  busyLabel,
  onCancel,
  cancel = 'Cancel',
}: {
  busy: boolean;
  submit: string;
  /** What the submit button says while the form is sent ("Inviting…"). */
  busyLabel?: string;
  /** Without it there is no Cancel button. */
  onCancel?: () => void;
  /** What the Cancel button says, when not "Cancel". */
  cancel?: string;
}) {
  return (
    <>
      {onCancel && (
        <Action disabled={busy} onClick={onCancel}>
          {cancel}
        </Action>
      )}
      <button type="submit" className="button primary" disabled={busy}>
        {busy && busyLabel ? busyLabel : submit}
      </button>
    </>
  );
}
