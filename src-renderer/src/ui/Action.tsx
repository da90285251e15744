import type { ReactNode } from 'react';

/** A button that does something here (not a form's submit): its look, its name, what it opens. */
export function Action({
  children,
  onClick,
  disabled,
  label,
  small,
  tone,
  opensDialog,
}: {
  children: ReactNode;
  onClick: () => void;
  disabled?: boolean;
  /** The accessible name, when the visible text alone does not say what it acts on. */
  label?: string;
  small?: boolean;
  tone?: 'primary' | 'danger' | 'subtle';
  /** It opens a dialog (a question or a form). */
  opensDialog?: boolean;
}) {
  const className = ['button', small && 'small', tone].filter(Boolean).join(' ');
  return (
    <button
      type="button"
      className={className}
      disabled={disabled}
      aria-label={label}
      aria-haspopup={opensDialog ? 'dialog' : undefined}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** "Remove …": asks first (it opens a question), so it says what it would remove. */
export const RemoveAction = ({
  what,
  disabled,
  onClick,
}: {
  what: string;
  disabled?: boolean;
  onClick: () => void;
}) => (
  <Action small tone="danger" opensDialog disabled={disabled} label={`Remove ${what}`} onClick={onClick}>
    Remove
  </Action>
);
