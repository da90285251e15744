import fc from 'fast-check';

/*
 * Hostile input for the fuzz tests (issue 9 item 4, issue 12 item 6): what an attacker or a broken
 * script sends to a network-facing endpoint. Whatever arrives, the answer is a SPEC §7 error, never
 * a crash, a 500 or a half-write.
 */

/** Strings that break naive code: empty, blank, a NUL, SQL, 5,000 characters — and any short string. */
const HOSTILE_STRINGS = ['', ' ', '\u0000', "' OR 1=1 --", 'x'.repeat(5000)] as const;

/** Any short string, a hostile one, or one of `known` (what the endpoint under test expects: ids, prefixes, emails). */
export const hostileStringWith = (...known: string[]): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...HOSTILE_STRINGS, ...known));

/** Anything at all (JSON or not), or one of the bodies given (the endpoint's own fields, with hostile values). */
export const hostileBodyWith = (...shaped: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), ...shaped);
