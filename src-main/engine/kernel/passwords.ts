import { scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';

/**
 * Members' passwords (SPEC §3, issue 12 item 2): argon2id through `@node-rs/argon2` (a maintained
 * binding of the reference implementation, shipped prebuilt inside its npm packages), stored in the
 * PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the parameters travel with each hash.
 *
 * Hashes written before argon2id (`scrypt$N$r$p$salt$hash`) keep verifying; `needsRehash` tells the
 * sign-in to replace them (and any argon2 hash below today's parameters) once the password is known.
 */

/** OWASP's argon2id baseline (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. */
export const ARGON2ID_POLICY = {
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2ID_POLICY);
}

/** Whether `password` is the one `stored` was made from; a malformed hash is never a match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false;
    }
  }
  if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored);
  return false;
}

/** Whether a hash that just verified should be replaced by one made with today's policy. */
export function needsRehash(stored: string): boolean {
  if (!stored.startsWith('$argon2id$')) return true;
  try {
    const used = parseOptions(stored);
    return (
      used.memoryCost < ARGON2ID_POLICY.memoryCost ||
      used.timeCost < ARGON2ID_POLICY.timeCost ||
      used.parallelism < ARGON2ID_POLICY.parallelism
    );
  } catch {
    return true;
  }
}

// ---- the scrypt hashes of earlier versions (verify only) ------------------------------------

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>;

const SCRYPT_MAXMEM = 256 * 1024 * 1024;

/** `scrypt$N$r$p$salt$hash`, as Postroom wrote them before argon2id (OWASP's N=2^17, r=8, p=1). */
async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length === 0) return false;
  try {
    const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: SCRYPT_MAXMEM,
    });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
