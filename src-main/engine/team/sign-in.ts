import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { hashPassword, needsRehash, verifyPassword } from '../kernel/passwords';

/**
 * Signing in to a profile on this install (issue 10 item 3, decision D87):
 * - every profile has a password; one made without (by `postroom init`, or before passwords were
 *   required) chooses it at its first sign-in;
 * - guessing is slowed per profile: after `FREE_ATTEMPTS` wrong passwords in a row, each further
 *   try waits `LOCK_BASE_SECONDS`, doubling up to `LOCK_MAX_SECONDS`; while it waits, no password is
 *   even checked (OWASP Authentication Cheat Sheet, "Account lockout" with a growing delay). The
 *   count lives in `settings`, so a restart does not reset it; a right password or a reset clears it.
 * - a forgotten password is reset on the machine that holds the data (`postroom reset-password`),
 *   which ends the profile's sessions.
 */
export const PASSWORD_RULES = {
  FREE_ATTEMPTS: 5,
  LOCK_BASE_SECONDS: 30,
  LOCK_MAX_SECONDS: 15 * 60,
  MIN_LENGTH: 8,
} as const;

interface Failures {
  count: number;
  /** ISO time before which no password is checked. */
  lockedUntil: string | null;
}

const failuresKey = (profileId: string) => `sign_in_failures:${profileId}`;

function readFailures(db: Db, profileId: string): Failures {
  const row = db
    .prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`)
    .get(failuresKey(profileId));
  return row ? (JSON.parse(row.value) as Failures) : { count: 0, lockedUntil: null };
}

function clearFailures(db: Db, profileId: string): void {
  db.prepare(`DELETE FROM settings WHERE key = ?`).run(failuresKey(profileId));
}

/** How long the profile waits after `count` wrong passwords in a row (0 while under the free attempts). */
export function lockSeconds(count: number): number {
  const over = count - PASSWORD_RULES.FREE_ATTEMPTS;
  if (over < 0) return 0;
  return Math.min(PASSWORD_RULES.LOCK_BASE_SECONDS * 2 ** over, PASSWORD_RULES.LOCK_MAX_SECONDS);
}

function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function tooManyTries(seconds: number): AppError {
  const message = `Too many wrong passwords. Try again in ${waitWords(seconds)}.`;
  return new AppError('rate_limited', message, { retryAfterSeconds: seconds, fields: { password: message } });
}

/**
 * Checks `password` for the profile, or sets it when the profile has none yet. Throws `rate_limited`
 * while the profile waits, `unauthorized` for a wrong password and `validation_failed` for a missing
 * or too-short new one, each with the message for the password field.
 */
export async function checkPassword(
  db: Db,
  profile: { id: string; password_hash: string | null },
  password: string | undefined,
  now: Date,
): Promise<void> {
  if (profile.password_hash === null) {
    if (!password || password.length < PASSWORD_RULES.MIN_LENGTH) {
      const message = 'This profile has no password yet: choose one of at least 8 characters.';
      throw new AppError('validation_failed', message, { fields: { password: message } });
    }
    await setPassword(db, profile.id, password);
    return;
  }
  const failures = readFailures(db, profile.id);
  if (failures.lockedUntil && Date.parse(failures.lockedUntil) > now.getTime())
    throw tooManyTries(Math.ceil((Date.parse(failures.lockedUntil) - now.getTime()) / 1000));
  if (!password)
    throw new AppError('unauthorized', 'Enter your password.', { fields: { password: 'Enter your password.' } });
  if (await verifyPassword(password, profile.password_hash)) {
    clearFailures(db, profile.id);
    if (needsRehash(profile.password_hash)) {
      // An older hash (scrypt, or argon2 below today's policy) is replaced once the password is known.
      db.prepare(`UPDATE profiles SET password_hash = ? WHERE id = ? AND password_hash = ?`).run(
        await hashPassword(password),
        profile.id,
        profile.password_hash,
      );
    }
    return;
  }
  const count = failures.count + 1;
  const wait = lockSeconds(count);
  const lockedUntil = wait > 0 ? new Date(now.getTime() + wait * 1000).toISOString() : null;
  db.prepare(
    `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ).run(failuresKey(profile.id), JSON.stringify({ count, lockedUntil } satisfies Failures));
  if (wait > 0) throw tooManyTries(wait);
  const left = PASSWORD_RULES.FREE_ATTEMPTS - count;
  const message =
    left <= 2
      ? `Wrong password. ${left === 0 ? 'The next wrong one' : `After ${left} more wrong`} ` +
        'makes this profile wait before trying again.'
      : 'Wrong password. Check it and try again.';
  throw new AppError('unauthorized', 'wrong password', { fields: { password: message } });
}

/** Sets a profile's password (argon2id) and clears its wrong-password count. */
export async function setPassword(db: Db, profileId: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  db.transaction(() => {
    db.prepare(`UPDATE profiles SET password_hash = ? WHERE id = ?`).run(hash, profileId);
    clearFailures(db, profileId);
  })();
}

/**
 * `postroom reset-password`: a new password for the profile with `email`, set by whoever can open
 * the data folder (the trust boundary, D87); every live session of that profile ends.
 */
export async function resetPassword(
  db: Db,
  email: string,
  password: string,
  now: Date,
): Promise<{ profileId: string; name: string; endedSessions: number }> {
  const profile = db
    .prepare<[string], { id: string; name: string }>(`SELECT id, name FROM profiles WHERE email = ?`)
    .get(email.trim());
  if (!profile)
    throw new AppError('not_found', `No profile on this install has the email ${email}.`, {
      fix: 'Check the email; it is the one shown under the name on the profile chooser.',
    });
  if (password.length < PASSWORD_RULES.MIN_LENGTH || password.length > 200)
    throw new AppError('validation_failed', 'Choose a password of 8 to 200 characters.', {
      fields: { password: 'Choose a password of 8 to 200 characters.' },
      fix: 'Run postroom reset-password again and type a password of 8 to 200 characters.',
    });
  await setPassword(db, profile.id, password);
  const endedSessions = db
    .prepare(
      `UPDATE sessions SET ended_at = ?, end_reason = 'password reset'
       WHERE ended_at IS NULL AND member_id IN (SELECT id FROM members WHERE profile_id = ?)`,
    )
    .run(now.toISOString(), profile.id).changes;
  db.prepare(
    `DELETE FROM settings WHERE key = 'current_session' AND value IN (SELECT s.id FROM sessions s
      JOIN members m ON m.id = s.member_id WHERE m.profile_id = ?)`,
  ).run(profile.id);
  return { profileId: profile.id, name: profile.name, endedSessions };
}
