import type { ReactNode } from 'react';
import { Modal } from './Modal';
import { Action } from './Action';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The confirm button's look: 'danger' (the default) before a destructive act. */
  tone?: 'danger' | 'primary';
  /** What the button that leaves everything as it was says, when not "Cancel". */
  cancelLabel?: string;
  /** Other answers, shown between that button and the confirm button. */
  otherActions?: ReactNode;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question before an act: the answer that leaves everything as it was comes first and has
 * the focus, so Enter or Escape never does the act by accident.
 */
export function ConfirmDialog(props: Props) {
  const { title, children, confirmLabel, tone = 'danger', cancelLabel = 'Cancel', busy, onConfirm, onCancel } = props;
  return (
    <Modal
      role="alertdialog"
      title={title}
      busy={busy}
      onClose={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={busy} autoFocus>
            {cancelLabel}
          </button>
          {props.otherActions}
          <Action tone={tone} disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </Action>
        </>
      }
    >
      {children}
    </Modal>
  );
}
