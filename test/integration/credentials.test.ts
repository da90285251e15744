import { TEST_PASSWORD } from '../support/engine';
import { describe, expect, it } from 'vitest';
import { appWithXClient } from '../support/app';
import { browse } from '../support/browse';
import { publishingTokenAccount, memberTokenAccount, tokenAccount } from '../../src-main/engine/queries/tokens';

describe("credential mode (seed 003): the owner's or the member's credentials", () => {
  it('decides who may re-authenticate and change "post as", and whose tokens publish', async () => {
    const { t, x, client } = await appWithXClient();
    const engine = t.app.engine;
    const ws = t.workspaceId;
    await engine.call('plan.change', { workspaceId: ws, planId: 'team' });
    const platformId = 'x-2244994945';
    const ref = { workspaceId: ws, userId: client.id, platformId };

    const { code } = await engine.call('team.invite', {
      workspaceId: ws,
      invite: { email: 'ed@agency.test', role: 'editor', managedUserIds: [client.id] },
    });
    const ownerId = engine.state().profile!.id;
    await engine.call('session.signOut', {});
    await engine.call('session.acceptInvitation', { code, name: 'Eddie Editor', password: TEST_PASSWORD });

    // The owner's credentials (the default): the editor posts, but cannot reconnect or change settings.
    expect(await engine.call('connection.credentials', ref)).toEqual({
      platformId,
      postAs: null,
      mode: 'owner',
      canReauthenticate: false,
      canChangePostAs: false,
      whoMayReconnect: ['Olivia Owner'],
    });
    expect(await engine.dispatch('connection.reauthenticate', ref)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('Olivia Owner can reconnect it') },
    });

    // The owner switches the editor to their own credentials.
    const editor = (await engine.call('team.list', { workspaceId: ws })).members.find((m) => m.role === 'editor')!;
    expect(
      await engine.dispatch('connection.setCredentialMode', { ...ref, memberId: editor.id, mode: 'member' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await engine.call('session.signIn', { profileId: ownerId, password: TEST_PASSWORD });
    await engine.call('connection.setCredentialMode', { ...ref, memberId: editor.id, mode: 'member' });
    expect(await engine.call('connection.credentialModes', { workspaceId: ws })).toEqual([
      { memberId: editor.id, connectionId: expect.stringMatching(/^conn_/), mode: 'member' },
    ]);
    await engine.call('session.signIn', { profileId: editor.profileId, password: TEST_PASSWORD });
    const mine = await engine.call('connection.credentials', ref);
    expect(mine).toMatchObject({
      mode: 'member',
      canReauthenticate: true,
      whoMayReconnect: ['Olivia Owner', 'Eddie Editor'],
    });

    // The editor authorises with their own access; their posts then go out with their tokens.
    const { authorizationUrl } = await engine.call('connection.reauthenticate', ref);
    expect(new URL(authorizationUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect((await browse(authorizationUrl)).text).toContain('Connected');
    const connectionId = (await engine.call('connection.list', { workspaceId: ws, userId: client.id }))[0]!.id;
    expect(t.secrets.values().some((v) => v.includes('accessToken'))).toBe(true);
    expect(await engine.ctx.secrets.get(memberTokenAccount(engine.ctx.installId, connectionId, editor.id))).toContain(
      x.token,
    );
    expect(publishingTokenAccount(engine.ctx, connectionId, editor.profileId, ws)).toBe(
      memberTokenAccount(engine.ctx.installId, connectionId, editor.id),
    );
    expect(publishingTokenAccount(engine.ctx, connectionId, ownerId, ws)).toBe(
      tokenAccount(engine.ctx.installId, connectionId),
    );
    const log = await engine.dispatch('activity.list', {
      workspaceId: ws,
      filter: { action: 'connection.reauthenticated' },
    });
    expect(log.ok).toBe(false); // editors do not read the log; the owner does below

    await engine.call('session.signIn', { profileId: ownerId, password: TEST_PASSWORD });
    expect(
      (await engine.call('activity.list', { workspaceId: ws, filter: { action: 'connection.reauthenticated' } }))[0]!
        .detail,
    ).toContain("the member's own credentials");
    // X posts as the account itself: there is no "post as" to choose.
    expect(await engine.dispatch('connection.setPostAs', { ...ref, postAs: 'urn:li:organization:1' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });
});
