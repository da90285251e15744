import { useId, type FormEventHandler, type ReactNode } from 'react';
import type { FieldValues } from 'react-hook-form';
import type { FormFields } from '../forms/useContractForm';
import { FormAlert } from './ErrorAlert';
import { FormButtons } from './FormButtons';
import { Modal } from './Modal';

interface ShellProps<V extends FieldValues> {
  form: FormFields<V>;
  onSubmit: FormEventHandler<HTMLFormElement>;
  /** What the submit button says, and says while the form is sent. */
  submit: string;
  busyLabel?: string;
  onCancel?: () => void;
  /** What the Cancel button says, when not "Cancel". */
  cancel?: string;
  /** What "Upgrade plan" does when an error offers it. */
  onUpgrade?: () => void;
  children: ReactNode;
}

/**
 * A contract form's frame: a heading that names it (or an accessible name), its fields (disabled
 * while it is sent), the error no field took, what else it says, and its buttons.
 */
export function FormShell<V extends FieldValues>({
  form,
  onSubmit,
  submit,
  busyLabel,
  onCancel,
  cancel,
  onUpgrade,
  children,
  title,
  level = 2,
  label,
  intro,
  after,
  className,
}: ShellProps<V> & {
  title?: ReactNode;
  level?: 2 | 3;
  /** The accessible name when there is no title. */
  label?: string;
  intro?: ReactNode;
  /** Said under the error, before the buttons (a notice). */
  after?: ReactNode;
  className?: string;
}) {
  const id = useId();
  const busy = form.formState.isSubmitting;
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <form
      aria-labelledby={title ? `${id}-title` : undefined}
      aria-label={title ? undefined : label}
      noValidate
      onSubmit={onSubmit}
      aria-busy={busy}
      className={className}
    >
      {title && (
        <Heading id={`${id}-title`} className={level === 3 ? 'subheading' : undefined}>
          {title}
        </Heading>
      )}
      {intro && <p className="hint">{intro}</p>}
      <fieldset disabled={busy} className="plain">
        {children}
      </fieldset>
      <FormAlert form={form} onUpgrade={onUpgrade} />
      {after}
      <div className="form-actions">
        <FormButtons busy={busy} submit={submit} busyLabel={busyLabel} onCancel={onCancel} cancel={cancel} />
      </div>
    </form>
  );
}

/** A contract form in a modal dialog: Escape and Cancel close it, unless it is being sent. */
export function FormModal<V extends FieldValues>({
  title,
  form,
  onSubmit,
  submit,
  onCancel,
  onUpgrade,
  children,
}: ShellProps<V> & { title: string; onCancel: () => void }) {
  const busy = form.formState.isSubmitting;
  return (
    <Modal
      title={title}
      busy={busy}
      onClose={onCancel}
      onSubmit={onSubmit}
      actions={<FormButtons busy={busy} onCancel={onCancel} submit={submit} />}
    >
      <fieldset disabled={busy} className="plain">
        {children}
      </fieldset>
      <FormAlert form={form} onUpgrade={onUpgrade} />
    </Modal>
  );
}
