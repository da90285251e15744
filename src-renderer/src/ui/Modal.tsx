import { useId, useLayoutEffect, useRef, type FormEventHandler, type ReactNode } from 'react';
import { Action } from './Action';

interface Props {
  /** The accessible name, shown as the heading. */
  title: ReactNode;
  /** A line under the title (e.g. what the dialog is about). */
  subtitle?: ReactNode;
  /** 'alertdialog' for a question before a destructive act. */
  role?: 'dialog' | 'alertdialog';
  wide?: boolean;
  /** Escape (and a ✕ button, when `closeLabel` is given) call this; ignored while `busy`. */
  onClose: () => void;
  busy?: boolean;
  /** Shows a ✕ button in the header with this accessible name. */
  closeLabel?: string;
  /** The body and the buttons become one form with this submit handler. */
  onSubmit?: FormEventHandler<HTMLFormElement>;
  /** The buttons at the bottom. */
  actions?: ReactNode;
  /** The class of the body around `children` ('dialog-body' unless given). */
  bodyClassName?: string;
  children: ReactNode;
}

/**
 * A modal dialog on the native <dialog>: showModal() makes everything outside inert (the focus
 * stays inside) and Escape fires `cancel`, which asks `onClose`. Closing hands focus back to the
 * button that opened it.
 */
export function Modal(props: Props) {
  const { title, subtitle, role, wide, onClose, busy, closeLabel, onSubmit, actions, children } = props;
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);

  // Layout effect: close() must run while the dialog is still in the document, so the browser
  // hands focus back to the opener.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const inner = (
    <>
      <header className={closeLabel ? 'dialog-header dialog-header-row' : 'dialog-header'}>
        <h2 id={`${id}-title`}>{title}</h2>
        {subtitle && <p className="muted">{subtitle}</p>}
        {closeLabel && (
          <Action tone="subtle" disabled={busy} label={closeLabel} onClick={onClose}>
            ✕
          </Action>
        )}
      </header>
      <div className={props.bodyClassName ?? 'dialog-body'} id={`${id}-body`}>
        {children}
      </div>
      {actions && <footer className="dialog-actions">{actions}</footer>}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-labelledby={`${id}-title`}
      aria-describedby={role === 'alertdialog' ? `${id}-body` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        // Escape in a dialog opened from this one is that dialog's (React passes it up the tree).
        if (e.target === e.currentTarget && !busy) onClose();
      }}
    >
      {onSubmit ? (
        <form noValidate onSubmit={onSubmit} aria-busy={busy}>
          {inner}
        </form>
      ) : (
        inner
      )}
    </dialog>
  );
}
