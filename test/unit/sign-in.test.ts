import { describe, expect, it } from 'vitest';
import { OWNER, openTestEngine, TEST_PASSWORD } from '../support/engine';
import { lockSeconds, PASSWORD_RULES, resetPassword } from '../../src-main/engine/team/sign-in';

/** Issue 10 item 3: every profile signs in with a password; guessing is slowed; a reset where the data is. */

async function ownerSignedOut() {
  const t = await openTestEngine();
  const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Acme', planId: 'team' } });
  await t.engine.call('session.signOut', {});
  return { ...t, profileId: state.profile!.id, workspaceId: state.currentWorkspaceId! };
}

const fieldOf = (res: unknown) =>
  (res as { ok: false; error: { code: string; details?: { fields?: Record<string, string> } } }).error;

describe('first run and invitations ask for a password', () => {
  it.each([
    ['no password', undefined, 'Choose a password for your profile.'],
    ['an empty one', '', 'Choose a password for your profile.'],
    ['a too-short one', 'short', 'Choose a password of at least 8 characters.'],
  ])('first run with %s is refused beside the password field, and nothing is made', async (_case, password, says) => {
    const { engine } = await openTestEngine();
    const res = await engine.dispatch('app.setup', { ...OWNER, password, workspace: { name: 'Acme' } });
    expect(res).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(fieldOf(res).details?.fields?.password).toBe(says);
    expect(engine.state().needsSetup).toBe(true);
    engine.close();
  });

  it('an invitation is accepted only with a chosen password, which then signs the member in', async () => {
    const t = await ownerSignedOut();
    await t.engine.call('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD });
    const { code } = await t.engine.call('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor' },
    });
    await t.engine.call('session.signOut', {});
    const refused = await t.engine.dispatch('session.acceptInvitation', { code, name: 'Ed', password: '' });
    expect(fieldOf(refused).details?.fields?.password).toBe('Choose a password for your profile.');
    const state = await t.engine.call('session.acceptInvitation', { code, name: 'Ed', password: 'eds own password' });
    expect(state.profile?.name).toBe('Ed');
    await t.engine.call('session.signOut', {});
    const ed = state.profile!.id;
    expect(await t.engine.dispatch('session.signIn', { profileId: ed, password: TEST_PASSWORD })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    expect((await t.engine.call('session.signIn', { profileId: ed, password: 'eds own password' })).role).toBe(
      'editor',
    );
    t.engine.close();
  });
});

describe('signing in', () => {
  it('a wrong or empty password is refused beside the field; the right one signs in', async () => {
    const { engine, profileId } = await ownerSignedOut();
    const empty = await engine.dispatch('session.signIn', { profileId, password: '' });
    expect(fieldOf(empty)).toMatchObject({
      code: 'unauthorized',
      details: { fields: { password: 'Enter your password.' } },
    });
    const wrong = await engine.dispatch('session.signIn', { profileId, password: 'not the password' });
    expect(fieldOf(wrong)).toMatchObject({
      code: 'unauthorized',
      details: { fields: { password: 'Wrong password. Check it and try again.' } },
    });
    expect(engine.state().profile).toBeNull();
    expect((await engine.call('session.signIn', { profileId, password: TEST_PASSWORD })).profile?.id).toBe(profileId);
    engine.close();
  });

  it(
    `after ${PASSWORD_RULES.FREE_ATTEMPTS} wrong passwords the profile waits, ` +
      'even for the right one, and a restart does not reset it',
    async () => {
      const t = await ownerSignedOut();
      for (let i = 1; i < PASSWORD_RULES.FREE_ATTEMPTS; i++)
        expect(
          fieldOf(await t.engine.dispatch('session.signIn', { profileId: t.profileId, password: `guess ${i}` })).code,
        ).toBe('unauthorized');
      const locked = fieldOf(
        await t.engine.dispatch('session.signIn', { profileId: t.profileId, password: 'guess 5' }),
      );
      expect(locked).toMatchObject({
        code: 'rate_limited',
        details: { retryAfterSeconds: 30, fields: { password: 'Too many wrong passwords. Try again in 30 seconds.' } },
      });
      // While it waits, not even the right password is checked.
      t.clock.advance(10_000);
      expect(
        fieldOf(await t.engine.dispatch('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD })),
      ).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: 20 } });
      // The count is in the data folder: a restart keeps the wait.
      t.engine.close();
      const { Engine } = await import('../../src-main/engine/engine');
      const again = await Engine.open({ dataDir: t.dataDir, secrets: t.secrets, clock: t.clock });
      expect(
        fieldOf(await again.dispatch('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD })).code,
      ).toBe('rate_limited');
      t.clock.advance(20_000);
      expect(
        (await again.call('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD })).profile,
      ).not.toBeNull();
      // The right password cleared the count: one wrong one later is just wrong.
      await again.call('session.signOut', {});
      expect(fieldOf(await again.dispatch('session.signIn', { profileId: t.profileId, password: 'x' })).code).toBe(
        'unauthorized',
      );
      again.close();
    },
  );

  it.each([
    [4, 0],
    [5, 30],
    [6, 60],
    [7, 120],
    [9, 480],
    [10, 900],
    [50, 900],
  ])('after %i wrong passwords in a row the wait is %i seconds', (count, seconds) => {
    expect(lockSeconds(count)).toBe(seconds);
  });

  it('an owner made by postroom init without a password chooses one at the first sign-in', async () => {
    const { engine } = await openTestEngine();
    await engine.createOwnerWithWorkspace({
      ownerName: 'Init Owner',
      ownerEmail: 'init@agency.test',
      workspace: { name: 'Acme', workspaceType: 'iframe embed', planId: 'free', integrations: [] },
    });
    const profile = engine.state().profiles[0]!;
    expect(profile.hasPassword).toBe(false);
    const short = fieldOf(await engine.dispatch('session.signIn', { profileId: profile.id, password: 'short' }));
    expect(short).toMatchObject({
      code: 'validation_failed',
      details: { fields: { password: 'This profile has no password yet: choose one of at least 8 characters.' } },
    });
    await engine.call('session.signIn', { profileId: profile.id, password: 'chosen at first' });
    expect(engine.state().profiles[0]!.hasPassword).toBe(true);
    await engine.call('session.signOut', {});
    expect(
      fieldOf(await engine.dispatch('session.signIn', { profileId: profile.id, password: 'something else' })).code,
    ).toBe('unauthorized');
    engine.close();
  });
});

describe('postroom reset-password (the rule; the command is in test/integration/cli.test.ts)', () => {
  it('sets a new password by email, ends the profile’s sessions and clears a wait', async () => {
    const t = await ownerSignedOut();
    await t.engine.call('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD });
    for (let i = 0; i < PASSWORD_RULES.FREE_ATTEMPTS; i++)
      await t.engine.dispatch('session.signIn', { profileId: t.profileId, password: `guess ${i}` });
    const db = t.engine.ctx.db;
    expect(await resetPassword(db, 'OLIVIA@agency.test', 'a brand new one', t.clock.now())).toMatchObject({
      name: 'Olivia Owner',
      endedSessions: 1,
    });
    expect(t.engine.state().profile).toBeNull();
    expect(
      fieldOf(await t.engine.dispatch('session.signIn', { profileId: t.profileId, password: TEST_PASSWORD })).code,
    ).toBe('unauthorized');
    expect(
      (await t.engine.call('session.signIn', { profileId: t.profileId, password: 'a brand new one' })).profile,
    ).not.toBeNull();
    await expect(resetPassword(db, 'nobody@agency.test', 'a brand new one', t.clock.now())).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(resetPassword(db, 'olivia@agency.test', 'short', t.clock.now())).rejects.toMatchObject({
      code: 'validation_failed',
    });
    t.engine.close();
  });
});
