import type { ReactNode } from 'react';
import { Modal } from './Modal';
import { Action } from './Action';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal question before a destructive act; Escape and Cancel leave everything as it was. */
export function ConfirmDialog({ title, children, confirmLabel, busy, onConfirm, onCancel }: Props) {
  return (
    <Modal
      role="alertdialog"
      title={title}
      busy={busy}
      onClose={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={busy} autoFocus>
            Cancel
          </button>
          <Action tone="danger" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </Action>
        </>
      }
    >
      {children}
    </Modal>
  );
}
