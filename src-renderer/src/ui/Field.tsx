import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { FieldPath, FieldValues } from 'react-hook-form';
import type { FormFields } from '../forms/useContractForm';
import { Options } from './Options';

/** What a control needs to belong to its Field: its id and the ids of its hint and error. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  'aria-required'?: true;
}

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  /** The error, shown right under the control (and read with it). */
  error?: string | undefined;
  required?: boolean;
  /** Ids of more text that describes the control (e.g. a counter). */
  describedBy?: string;
  /** Takes the id and aria attributes; returns the control. */
  children: (control: ControlProps) => ReactNode;
}

/** A label, a control, its error beside it and a hint: what every field of every form is. */
export function Field({ label, hint, error, required, describedBy, children }: FieldProps) {
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  const described = [errorId, hintId, describedBy].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(required ? { 'aria-required': true as const } : {}),
      })}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

type FormFieldProps<V extends FieldValues> = {
  form: FormFields<V>;
  name: FieldPath<V>;
  label: ReactNode;
  hint?: ReactNode;
  required?: boolean;
};

/** A text-like input (text, email, password, url, number, datetime-local …) of a contract form. */
export function TextField<V extends FieldValues>({
  form,
  name,
  label,
  hint,
  required,
  ...input
}: FormFieldProps<V> & Omit<InputHTMLAttributes<HTMLInputElement>, 'form' | 'name'>) {
  return (
    <Field label={label} hint={hint} required={required} error={form.errorOf(name)}>
      {(control) => <input type="text" {...input} {...control} {...form.register(name)} />}
    </Field>
  );
}

/** A select of a contract form; `options` are value and label pairs, and the chosen one's hint shows under it. */
export function SelectField<V extends FieldValues>({
  form,
  name,
  label,
  hint,
  required,
  options,
  ...select
}: FormFieldProps<V> & {
  options: readonly { value: string; label: string; hint?: string }[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'form' | 'name'>) {
  const chosen = form.watch(name) as unknown;
  const chosenHint = options.find((o) => o.value === chosen)?.hint;
  return (
    <Field label={label} hint={hint ?? chosenHint} required={required} error={form.errorOf(name)}>
      {(control) => (
        <select {...select} {...control} {...form.register(name)}>
          <Options options={options} />
        </select>
      )}
    </Field>
  );
}

/** A checkbox with its label around it, and a hint under it. */
export function CheckField<V extends FieldValues>({ form, name, label, hint }: FormFieldProps<V>) {
  const id = useId();
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...form.register(name)} />
        {label}
      </label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A select outside any form (filters, pickers): its label, value and options. */
export function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
  hint,
}: {
  label: ReactNode;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  hint?: ReactNode;
}) {
  return (
    <Field label={label} hint={hint}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value as T)}>
          <Options options={options} />
        </select>
      )}
    </Field>
  );
}

/** A whole number from `range[0]` to `range[1]` (kept as text by the form; the contract's schema checks it). */
export function NumberField<V extends FieldValues>({
  range: [min, max],
  ...props
}: FormFieldProps<V> & { range: readonly [number, number]; placeholder?: string }) {
  return <TextField {...props} type="number" min={min} max={max} inputMode="numeric" />;
}
