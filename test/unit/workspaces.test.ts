import { describe, expect, it } from 'vitest';
import { OWNER, openTestEngine } from '../support/engine';
import { GIF_1x1, JPEG_1x1, PNG_1x1, WEBP_1x1, pngOfSize, upload } from '../support/images';

async function setUp(workspace: Record<string, unknown> = { name: 'Acme Agency' }) {
  const t = await openTestEngine();
  const state = await t.engine.call('app.setup', { ...OWNER, workspace });
  return { ...t, state, firstId: state.currentWorkspaceId! };
}

const count = (t: Awaited<ReturnType<typeof setUp>>, table: string) =>
  (t.engine.ctx.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('first run', () => {
  it('needs setup until the owner profile and the first workspace exist', async () => {
    const { engine } = await openTestEngine();
    expect(await engine.call('app.getState', {})).toMatchObject({ needsSetup: true, profile: null, workspaces: [] });
    const state = await engine.call('app.setup', { ...OWNER, workspace: { name: 'Acme Agency' } });
    expect(state).toMatchObject({
      needsSetup: false,
      profile: { name: 'Olivia Owner', email: 'olivia@agency.test' },
      workspaces: [{ name: 'Acme Agency', slug: 'acme-agency', layoutType: 'left navigation' }],
    });
    expect(state.currentWorkspaceId).toBe(state.workspaces[0]!.id);
  });

  it('cannot be run twice', async () => {
    const t = await setUp();
    const again = await t.engine.dispatch('app.setup', { ...OWNER, workspace: { name: 'Other' } });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('leaves nothing behind when the first workspace is refused, so setup can be retried', async () => {
    const t = await openTestEngine();
    const refused = await t.engine.dispatch('app.setup', {
      ...OWNER,
      workspace: { name: 'Acme', squareLogo: upload(pngOfSize(10 * 1024 * 1024 + 1)) },
    });
    expect(refused).toMatchObject({ ok: false, error: { message: 'file size must be less than 10mb' } });
    expect((await t.engine.call('app.getState', {})).needsSetup).toBe(true);
    expect(await t.engine.dispatch('app.setup', { ...OWNER, workspace: { name: 'Acme' } })).toMatchObject({ ok: true });
  });
});

describe('creating a workspace', () => {
  it('makes unique slugs from names: acme, acme-2, acme-3', async () => {
    const t = await setUp({ name: 'Acme' });
    const second = await t.engine.call('workspace.create', { name: 'ACME' });
    const third = await t.engine.call('workspace.create', { name: 'acme!' });
    expect([second.slug, third.slug]).toEqual(['acme-2', 'acme-3']);
  });

  it('sets the layout from the type: jwt full embed has no navigation, iframe embed left navigation', async () => {
    const t = await setUp();
    const jwt = await t.engine.call('workspace.create', { name: 'Embedded', workspaceType: 'jwt full embed' });
    const iframe = await t.engine.call('workspace.create', { name: 'Framed', workspaceType: 'iframe embed' });
    expect(jwt.layoutType).toBe('no navigation');
    expect(iframe.layoutType).toBe('left navigation');
  });

  it('defaults to the free plan with a zero transaction, and records a priced one for team', async () => {
    const t = await setUp();
    expect((await t.engine.call('workspace.get', { workspaceId: t.firstId })).plan.id).toBe('free');
    const team = await t.engine.call('workspace.create', { name: 'Big Client Co', planId: 'team' });
    expect(team.plan).toMatchObject({ id: 'team', maxMembers: 10, maxClients: 50 });
    expect(team.subscription).toMatchObject({ planId: 'team', endsAt: null });
    const txns = t.engine.ctx.db
      .prepare(`SELECT workspace_id, amount_cents, currency FROM transactions ORDER BY created_at, rowid`)
      .all();
    expect(txns).toEqual([
      { workspace_id: t.firstId, amount_cents: 0, currency: 'USD' },
      { workspace_id: team.id, amount_cents: 4900, currency: 'USD' },
    ]);
  });

  it('logs the creation in the activity log, naming who did it', async () => {
    const t = await setUp();
    const activity = await t.engine.call('activity.list', { workspaceId: t.firstId });
    expect(activity).toEqual([
      expect.objectContaining({
        action: 'workspace.created',
        actorKind: 'member',
        actorId: t.state.profile!.id,
        objectId: t.firstId,
      }),
    ]);
  });

  it('asks for the name when it is missing or blank, as data', async () => {
    const t = await setUp();
    for (const request of [{}, { name: '   ' }]) {
      const result = await t.engine.dispatch('workspace.create', request);
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', message: "name: Enter the workspace's name." },
      });
    }
  });

  it('recognises PNG, JPEG and WebP logos from their bytes whatever the file name says', async () => {
    const t = await setUp();
    const ws = await t.engine.call('workspace.create', {
      name: 'Logos',
      squareLogo: upload(JPEG_1x1, 'square.png'),
      imageLogo: upload(WEBP_1x1, 'image.jpg'),
    });
    expect(ws.squareLogo).toMatchObject({ mimeType: 'image/jpeg', size: JPEG_1x1.length });
    expect(ws.imageLogo).toMatchObject({ mimeType: 'image/webp' });
    const back = await t.engine.call('workspace.getLogo', { workspaceId: ws.id, kind: 'square' });
    expect(Buffer.from(back!.dataBase64, 'base64').equals(JPEG_1x1)).toBe(true);
    const png = await t.engine.call('workspace.create', { name: 'Png', squareLogo: upload(PNG_1x1) });
    expect(png.squareLogo?.mimeType).toBe('image/png');
  });

  it('refuses a GIF or a non-image logo, naming the field', async () => {
    const t = await setUp();
    const gif = await t.engine.dispatch('workspace.create', { name: 'Gif', squareLogo: upload(GIF_1x1, 'x.png') });
    expect(gif).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: 'square logo must be a PNG, JPEG or WebP image' },
    });
    const text = await t.engine.dispatch('workspace.create', { name: 'Txt', imageLogo: upload(Buffer.from('hello')) });
    expect(text).toMatchObject({ ok: false, error: { message: 'image logo must be a PNG, JPEG or WebP image' } });
  });

  it('refuses a logo of 10 MB or more with "file size must be less than 10mb" and writes nothing', async () => {
    const t = await setUp();
    const before = { workspaces: count(t, 'workspaces'), secrets: t.secrets.values().length };
    const result = await t.engine.dispatch('workspace.create', {
      name: 'Too Big',
      integrations: [{ platform: 'x', clientId: 'cid', clientSecret: 'never-stored' }],
      imageLogo: upload(pngOfSize(10 * 1024 * 1024)),
    });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'validation_failed', message: 'file size must be less than 10mb' }),
    });
    expect(count(t, 'workspaces')).toBe(before.workspaces);
    expect(t.secrets.values()).not.toContain('never-stored');
    expect(t.secrets.values()).toHaveLength(before.secrets);
    const ok = await t.engine.dispatch('workspace.create', {
      name: 'Just Under',
      imageLogo: upload(pngOfSize(10 * 1024 * 1024 - 1)),
    });
    expect(ok.ok).toBe(true);
  });

  it('keeps integration secrets in the keychain and only the non-secret parts in SQLite', async () => {
    const t = await setUp();
    const ws = await t.engine.call('workspace.create', {
      name: 'Integrated',
      integrations: [
        {
          platform: 'mastodon',
          clientId: 'masto-id',
          clientSecret: 'masto-secret-123',
          instanceUrl: 'https://mastodon.example',
        },
        { platform: 'bluesky' },
      ],
    });
    expect(ws.integrations).toEqual([
      expect.objectContaining({
        platform: 'mastodon',
        clientId: 'masto-id',
        instanceUrl: 'https://mastodon.example',
        hasSecret: true,
      }),
      expect.objectContaining({ platform: 'bluesky', clientId: null, hasSecret: false }),
    ]);
    expect(t.secrets.values()).toContain('masto-secret-123');
    const dump = JSON.stringify(t.engine.ctx.db.prepare(`SELECT * FROM integrations`).all());
    expect(dump).not.toContain('masto-secret-123');
  });

  it('refuses an unknown time zone and an unknown plan', async () => {
    const t = await setUp();
    expect(await t.engine.dispatch('workspace.create', { name: 'Tz', timezone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    expect(await t.engine.dispatch('workspace.create', { name: 'Gold', planId: 'gold' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', details: { fields: { planId: expect.any(String) } } },
    });
  });
});

describe('switching workspaces', () => {
  it('remembers the selected workspace and refuses one the profile is not a member of', async () => {
    const t = await setUp();
    const second = await t.engine.call('workspace.create', { name: 'Second' });
    const state = await t.engine.call('workspace.select', { workspaceId: second.id });
    expect(state.currentWorkspaceId).toBe(second.id);
    expect((await t.engine.call('app.getState', {})).currentWorkspaceId).toBe(second.id);
    expect(await t.engine.dispatch('workspace.select', { workspaceId: 'ws_nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('pushes state.changed to subscribers when a workspace is created or selected', async () => {
    const t = await setUp();
    const seen: string[] = [];
    t.engine.subscribe((event, payload) =>
      seen.push(`${event}:${(payload as { workspaces: unknown[] }).workspaces.length}`),
    );
    const second = await t.engine.call('workspace.create', { name: 'Second' });
    await t.engine.call('workspace.select', { workspaceId: second.id });
    expect(seen).toEqual(['state.changed:2', 'state.changed:2']);
  });

  it('keeps everything across a restart of the engine on the same data folder', async () => {
    const t = await setUp();
    const second = await t.engine.call('workspace.create', { name: 'Persisted', squareLogo: upload(PNG_1x1) });
    await t.engine.call('workspace.select', { workspaceId: second.id });
    t.engine.close();
    const { Engine } = await import('../../src-main/engine/engine');
    const reopened = await Engine.open({ dataDir: t.dataDir, secrets: t.secrets, clock: t.clock });
    const state = await reopened.call('app.getState', {});
    expect(state.workspaces.map((w) => w.name)).toEqual(['Acme Agency', 'Persisted']);
    expect(state.currentWorkspaceId).toBe(second.id);
    expect((await reopened.call('workspace.get', { workspaceId: second.id })).squareLogo?.mimeType).toBe('image/png');
    reopened.close();
  });
});
