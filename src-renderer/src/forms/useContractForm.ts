import { useState } from 'react';
import {
  get,
  useForm,
  type DefaultValues,
  type FieldPath,
  type FieldValues,
  type Resolver,
  type UseFormReturn,
} from 'react-hook-form';
import type { z } from 'zod';
import type { ErrorObject } from '../../../src-shared/errors';
import { fieldErrors } from '../errors';

/*
 * Forms on react-hook-form, validated by the contract's own zod schemas (src-shared): the
 * schema that checks a request in the main process checks it here first, with the same words.
 * Errors the engine still returns (`validation_failed` with per-field details, a wrong password,
 * an email already used) land beside their fields; what belongs to no field stays for the form.
 */

/** Every field path of a form's default values ("name", "workspace.name"). */
function fieldNames(values: unknown, prefix = ''): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values) || values instanceof Blob)
    return prefix ? [prefix] : [];
  return Object.entries(values).flatMap(([k, v]) => fieldNames(v, prefix ? `${prefix}.${k}` : k));
}

/**
 * The form field a request path names: the longest run of its segments that is a field, so
 * `client.email` (the contract's request) and `patch.email` both reach the field `email`, and
 * `name` reaches `workspace.name` in a form that keeps the workspace under `workspace`.
 */
export function fieldOf(path: readonly PropertyKey[], names: ReadonlySet<string>): string | null {
  const parts = path.map(String);
  for (let from = 0; from < parts.length; from++)
    for (let to = parts.length; to > from; to--) {
      const candidate = parts.slice(from, to).join('.');
      if (names.has(candidate)) return candidate;
      const nested = [...names].filter((n) => n.endsWith(`.${candidate}`));
      if (nested.length === 1) return nested[0]!;
    }
  return null;
}

/** A resolver that checks `toInput(values)` against a contract schema and puts each issue on its field. */
function contractResolver<V extends FieldValues>(
  schema: z.ZodType,
  toInput: (values: V) => unknown,
  names: ReadonlySet<string>,
): Resolver<V> {
  return async (values) => {
    const parsed = await schema.safeParseAsync(toInput(values));
    if (parsed.success) return { values, errors: {} };
    const errors: Record<string, { type: string; message: string }> = {};
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path, names) ?? 'root';
      errors[field] ??= { type: issue.code, message: issue.message };
    }
    return { values: {}, errors: nest(errors) };
  };
}

/** `{"workspace.name": e}` as react-hook-form keeps it: `{workspace: {name: e}}`. */
function nest(flat: Record<string, unknown>): Record<string, never> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split('.');
    let at = out;
    keys.slice(0, -1).forEach((k) => (at = (at[k] ??= {}) as Record<string, unknown>));
    at[keys[keys.length - 1]!] = value;
  }
  return out as Record<string, never>;
}

export interface ContractForm<V extends FieldValues, I = V> extends UseFormReturn<V> {
  /** An error that belongs to no field (or carries an action, such as upgrading the plan). */
  formError: ErrorObject | null;
  setFormError(error: ErrorObject | null): void;
  /** Shows an engine error: field messages beside their fields, anything else as `formError`. */
  showError(error: ErrorObject): void;
  /** The message beside `name`, if any. */
  errorOf(name: FieldPath<V>): string | undefined;
  /**
   * handleSubmit with the form error cleared first. `onValid` gets the values and the contract
   * input they stand for, and may return an engine error to show.
   */
  submit(
    onValid: (values: V, input: I) => Promise<ErrorObject | null | void>,
  ): (e?: React.BaseSyntheticEvent) => Promise<void>;
}

/** What fields need of a contract form (whatever input it stands for). */
export type FormFields<V extends FieldValues> = Pick<
  ContractForm<V>,
  'register' | 'errorOf' | 'watch' | 'formState' | 'formError' | 'setFocus' | 'setValue'
>;

export function useContractForm<V extends FieldValues, I = V>(options: {
  schema: z.ZodType;
  defaultValues: V;
  /** The contract input the form's values stand for (identity when they are the same). */
  toInput?: (values: V) => I;
}): ContractForm<V, I> {
  const names = new Set(fieldNames(options.defaultValues));
  const toInput = options.toInput ?? ((v: V) => v as unknown as I);
  const form = useForm<V>({
    defaultValues: options.defaultValues as DefaultValues<V>,
    resolver: contractResolver(options.schema, toInput, names),
  });
  const [formError, setFormError] = useState<ErrorObject | null>(null);

  function showError(error: ErrorObject) {
    const placed = Object.entries(fieldErrors(error)).flatMap(([path, message]) => {
      const field = fieldOf(path.split('.'), names);
      return field ? [[field, message] as const] : [];
    });
    placed.forEach(([field, message], i) =>
      form.setError(field as FieldPath<V>, { type: error.code, message }, { shouldFocus: i === 0 }),
    );
    // An action (upgrade, connect) is a button the form shows; so is anything no field took.
    const unplaced = placed.length < Object.keys(fieldErrors(error)).length || placed.length === 0;
    setFormError(unplaced || error.action ? error : null);
  }

  return {
    ...form,
    formError,
    setFormError,
    showError,
    errorOf: (name) => (get(form.formState.errors, name) as { message?: string } | undefined)?.message,
    submit: (onValid) =>
      form.handleSubmit(async (values) => {
        setFormError(null);
        const error = await onValid(values, toInput(values));
        if (error) showError(error);
      }),
  };
}
