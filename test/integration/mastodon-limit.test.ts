import { describe, expect, it } from 'vitest';
import { registerMastodonApp } from '../../src-main/engine/platforms/mastodon/adapter';
import { clientAndLinkInApp, startTestApp } from '../support/app';
import { browse } from '../support/browse';
import { closeAfterTest } from '../support/closers';
import { startMastodonServer, type MastodonServerOptions } from '../support/mastodon-server';

/**
 * An instance set up as `instance` says, its integration in the app, and a client's account connected there by
 * link.
 */
async function connectedOn(instance: MastodonServerOptions) {
  const t = await startTestApp();
  const mastodon = await startMastodonServer(instance);
  closeAfterTest(() => mastodon.close());
  const engine = t.app.engine;
  const app = await registerMastodonApp(mastodon.url, `${t.url}/oauth/callback`);
  await engine.call('integration.add', {
    workspaceId: t.workspaceId,
    integration: {
      platform: 'mastodon',
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      instanceUrl: mastodon.url,
    },
  });
  const {
    client: user,
    link: { connectionUrl },
  } = await clientAndLinkInApp(t, { email: 'm@acme.test', displayName: 'Acme' });
  expect((await browse(`${connectionUrl}/mastodon`)).text).toContain('Connected');
  const [connection] = await engine.call('connection.list', { workspaceId: t.workspaceId, userId: user.id });
  return { t, user, connection };
}

describe("a Mastodon instance's own limits", () => {
  it('is read when the account connects, and posts are checked against it instead of 500', async () => {
    const { t, user, connection } = await connectedOn({ maxCharacters: 1000 });
    const engine = t.app.engine;
    expect(connection!.maxTextLength).toBe(1000);
    // Scheduled, since a draft may break a platform's limit (D93): the limit applies when scheduling.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const post = (text: string) =>
      engine.dispatch('post.create', {
        workspaceId: t.workspaceId,
        userId: user.id,
        post: { text, platformIds: [connection!.platformId], scheduledTime: tomorrow },
      });
    expect((await post('a'.repeat(700))).ok).toBe(true);
    expect(await post('a'.repeat(1001))).toMatchObject({
      ok: false,
      error: { message: 'Mastodon: the text is 1001 characters; the limit is 1000' },
    });
  });

  it("keeps the instance's own poll bounds with the connection, and posts are checked against them", async () => {
    const { t, user, connection } = await connectedOn({
      polls: { max_options: 6, max_characters_per_option: 80, min_expiration: 300, max_expiration: 604_800 },
    });
    const engine = t.app.engine;
    expect(connection!.pollLimits).toEqual({ maxOptions: 6, maxOptionLength: 80, minMinutes: 5, maxMinutes: 10_080 });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const post = (options: string[], durationMinutes = 60) =>
      engine.dispatch('post.create', {
        workspaceId: t.workspaceId,
        userId: user.id,
        post: {
          text: 'Which one?',
          platformIds: [connection!.platformId],
          scheduledTime: tomorrow,
          poll: { options, durationMinutes },
        },
      });
    // Six options of 80 characters: more than Mastodon's defaults (4 of 50), within this instance's.
    expect((await post(Array.from({ length: 6 }, (_, i) => `${i}`.padEnd(80, '.')))).ok).toBe(true);
    expect(await post(Array.from({ length: 7 }, (_, i) => `${i}`))).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('Mastodon: a poll has 2 to 6 options') },
    });
    expect(await post(['a', 'b'], 8 * 1440)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Mastodon: a poll runs 5 minutes to 7 days') },
    });
  });
});
