import { z } from 'zod';

/**
 * Text a person types into a field that must be filled: trimmed, then at least one character
 * (`empty` says what to enter) and at most `max` (`tooLong` says the limit). Each message says how
 * to fix it, beside the field in the app and in `details.fields` of the REST API (SPEC §7).
 */
export const requiredText = (empty: string, max: number, tooLong: string) =>
  z.string().trim().min(1, empty).max(max, tooLong);
