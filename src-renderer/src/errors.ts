import type { ErrorObject } from '../../src-shared/errors';

/**
 * The sentence to show a person. Validation errors carry per-field details; the first
 * field's own message ("name is required") reads better than the path-prefixed summary.
 */
export function errorText(error: ErrorObject): string {
  const fields = fieldErrors(error);
  const first = Object.values(fields)[0];
  return first ?? error.message;
}

/**
 * Per-field messages of an error, keyed by the request path ("workspace.name"): a validation
 * error's, or another's that names its field (a wrong password, an email already used).
 */
export function fieldErrors(error: ErrorObject | null): Record<string, string> {
  if (!error) return {};
  const fields = error.details?.fields;
  if (typeof fields !== 'object' || fields === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') out[k] = v;
  return out;
}
