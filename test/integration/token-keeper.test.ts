import { describe, expect, it, vi } from 'vitest';
import { TokenKeeper } from '../../src-main/engine/connections/token-keeper';
import { defaultAdapters, type AdapterLookup } from '../../src-main/engine/platforms/registry';
import { appWithXClient } from '../support/app';
import { tokenAccount } from '../../src-main/engine/queries/tokens';

describe('keeping connections signed in', () => {
  it('refreshes tokens before they expire, keeps a rotating refresh token, marks needs_reauth if refused', async () => {
    const { t, x, client } = await appWithXClient();
    const engine = t.app.engine;
    const ws = t.workspaceId;
    const [connection] = await engine.call('connection.list', { workspaceId: ws, userId: client.id });
    const expiry = new Date(connection!.tokenExpiresAt!).getTime();
    expect(expiry - t.clock.now().getTime()).toBe(7200 * 1000);
    const before = JSON.parse((await engine.ctx.secrets.get(tokenAccount(engine.ctx.installId, connection!.id)))!);

    const keeper = new TokenKeeper(engine.ctx);
    await keeper.refreshDue();
    expect((await engine.call('connection.list', { workspaceId: ws, userId: client.id }))[0]!.tokenExpiresAt).toBe(
      connection!.tokenExpiresAt,
    );

    t.clock.advance(7200 * 1000 - 5 * 60_000); // five minutes before expiry: inside the margin
    await keeper.refreshDue();
    const after = JSON.parse((await engine.ctx.secrets.get(tokenAccount(engine.ctx.installId, connection!.id)))!);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.refreshToken).toBeTruthy();
    const renewed = (await engine.call('connection.list', { workspaceId: ws, userId: client.id }))[0]!;
    // Platforms' expiries run on real time (the adapter counts from the answer), later than before.
    expect(new Date(renewed.tokenExpiresAt!).getTime()).toBeGreaterThan(expiry);

    x.refuseRefresh();
    t.clock.advance(new Date(renewed.tokenExpiresAt!).getTime() - t.clock.now().getTime() - 5 * 60_000);
    await keeper.refreshDue();
    expect((await engine.call('connection.list', { workspaceId: ws, userId: client.id }))[0]!.status).toBe(
      'needs_reauth',
    );
    const log = await engine.call('activity.list', {
      workspaceId: ws,
      filter: { action: 'connection.needs_reauth' },
    });
    expect(log[0]!.detail).toContain('x-2244994945 must be reconnected');
    // The person who may reconnect is named for the UI.
    expect(
      (
        await engine.call('connection.credentials', {
          workspaceId: ws,
          userId: client.id,
          platformId: 'x-2244994945',
        })
      ).whoMayReconnect,
    ).toEqual(['Olivia Owner']);
    await keeper.stop();
  });

  it('renews a rotating token once when it is planned again while the renewal is under way', async () => {
    const { t, client } = await appWithXClient();
    const engine = t.app.engine;
    const list = () => engine.call('connection.list', { workspaceId: t.workspaceId, userId: client.id });
    const [connection] = await list();
    // Due in five minutes; the renewed one runs two hours from X's answer.
    const soon = new Date(t.clock.now().getTime() + 5 * 60_000).toISOString();
    engine.ctx.db.prepare(`UPDATE connections SET token_expires_at = ? WHERE id = ?`).run(soon, connection!.id);
    let renewals = 0;
    // The app plans again on every `connections.changed`; here one arrives during the call to X.
    const adapters: AdapterLookup = (p) => {
      const entry = defaultAdapters(p)!;
      const refresh: typeof entry.adapter.refresh = async (...args) => {
        if (++renewals === 1) keeper.plan();
        await new Promise((answered) => setTimeout(answered, 100));
        return entry.adapter.refresh(...args);
      };
      return { ...entry, adapter: { ...entry.adapter, refresh } };
    };
    const keeper = new TokenKeeper(engine.ctx, { adapters });
    keeper.start();
    await vi.waitFor(async () => expect((await list())[0]!.tokenExpiresAt).not.toBe(soon), { timeout: 5000 });
    await new Promise((settled) => setTimeout(settled, 200));
    await keeper.stop();
    // A second renewal beside the first would spend the refresh token X had just replaced, and fail.
    expect(renewals).toBe(1);
    expect((await list())[0]!.status).toBe('active');
  });
});
