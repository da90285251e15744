/** Cancel and the form's submit button, as every form and dialog ends. */
export function FormButtons({
  busy,
  submit,
  busyLabel,
  onCancel,
}: {
  busy: boolean;
  submit: string;
  /** What the submit button says while the form is sent ("Inviting…"). */
  busyLabel?: string;
  /** Without it there is no Cancel button. */
  onCancel?: () => void;
}) {
  return (
    <>
      {onCancel && (
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      )}
      <button type="submit" className="button primary" disabled={busy}>
        {busy && busyLabel ? busyLabel : submit}
      </button>
    </>
  );
}
