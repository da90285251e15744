import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hash as argon2Hash } from '@node-rs/argon2';
import { OWNER, openTestEngine } from '../support/engine';
import { ARGON2ID_POLICY, hashPassword, needsRehash, verifyPassword } from '../../src-main/engine/kernel/passwords';

/** A hash exactly as Postroom wrote them before argon2id: `scrypt$N$r$p$salt$hash`, OWASP's N=2^17. */
function oldScryptHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  return ['scrypt', 2 ** 17, 8, 1, salt.toString('base64'), hash.toString('base64')].join('$');
}

describe('passwords (issue 12 item 2): argon2id, earlier scrypt hashes still verify', () => {
  it('hashes with argon2id at the OWASP parameters, salted, and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('verifies a scrypt hash of an earlier version and asks for it to be rehashed', async () => {
    const stored = oldScryptHash('an old password');
    expect(await verifyPassword('an old password', stored)).toBe(true);
    expect(await verifyPassword('another password', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('asks to rehash an argon2 hash below the policy, or not argon2id', async () => {
    const weak = await argon2Hash('pw', { ...ARGON2ID_POLICY, memoryCost: 4096, timeCost: 1 });
    expect(await verifyPassword('pw', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    const argon2i = await argon2Hash('pw', { ...ARGON2ID_POLICY, algorithm: 1 as typeof ARGON2ID_POLICY.algorithm });
    expect(await verifyPassword('pw', argon2i)).toBe(true);
    expect(needsRehash(argon2i)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['plain text', 'hunter2'],
    ['truncated argon2', '$argon2id$v=19$m=19456,t=2,p=1$abc'],
    ['scrypt without hash', 'scrypt$131072$8$1$c2FsdA==$'],
    ['scrypt with absurd cost', 'scrypt$99999999999$8$1$c2FsdA==$aGFzaA=='],
  ])('a malformed stored hash (%s) never matches', async (_name, stored) => {
    expect(await verifyPassword('hunter2', stored)).toBe(false);
  });
});

describe('signing in with a password of an earlier version', () => {
  it('works, and the stored scrypt hash becomes argon2id', async () => {
    const { engine } = await openTestEngine();
    const state = await engine.call('app.setup', {
      ...OWNER,
      password: 'the old password',
      workspace: { name: 'Acme' },
    });
    const profileId = state.profile!.id;
    engine.ctx.db
      .prepare(`UPDATE profiles SET password_hash = ? WHERE id = ?`)
      .run(oldScryptHash('the old password'), profileId);
    await engine.call('session.signOut', {});
    await expect(engine.call('session.signIn', { profileId, password: 'wrong one' })).rejects.toThrow(/wrong password/);
    expect(await engine.call('session.signIn', { profileId, password: 'the old password' })).toMatchObject({
      profile: { id: profileId },
    });
    const stored = engine.ctx.db
      .prepare(`SELECT password_hash FROM profiles WHERE id = ?`)
      .pluck()
      .get(profileId) as string;
    expect(stored).toMatch(/^\$argon2id\$/);
    await engine.call('session.signOut', {});
    expect(await engine.call('session.signIn', { profileId, password: 'the old password' })).toMatchObject({
      profile: { id: profileId },
    });
    engine.close();
  });
});
