import type { FieldPath } from 'react-hook-form';
import type { FormFields } from '../forms/useContractForm';
import { TextField } from '../ui/Field';

/** A new password of the person filling the form in (the contract's NewPassword rule: at least 8 characters). */
export function NewPasswordField<V extends { password: string }>({
  form,
  hint,
}: {
  form: FormFields<V>;
  /** What the password is for and, where it can be, how it is reset. */
  hint: string;
}) {
  return (
    <TextField
      form={form}
      name={'password' as FieldPath<V>}
      label="Choose a password"
      type="password"
      autoComplete="new-password"
      hint={hint}
      required
    />
  );
}

/**
 * What joining with an invitation asks, on this install or on a team host (issue 12): the code or
 * the pasted link (`codeName`: each contract names it), the person's name and their new password.
 */
export function InvitationFields<V extends { name: string; password: string }>({
  form,
  codeName,
  passwordHint,
}: {
  form: FormFields<V>;
  codeName: FieldPath<V>;
  passwordHint: string;
}) {
  return (
    <>
      <TextField
        form={form}
        name={codeName}
        label="Invitation code or link"
        autoComplete="off"
        spellCheck={false}
        required
      />
      <TextField form={form} name={'name' as FieldPath<V>} label="Your name" autoComplete="name" required />
      <NewPasswordField form={form} hint={passwordHint} />
    </>
  );
}
