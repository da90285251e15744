import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { inviteOverRest, startTestApp } from '../support/app';
import { callWithKey } from '../support/rest';
import { seedText } from '../support/seeds';

/*
 * Issue 13 item 8: errors that carry an action send seed 004's action objects exactly, and every
 * such answer (REST and the contract) validates against seed 004's `Error` schema as the seed
 * writes it. The schema is read from the seed itself (the repository's copy, test/support/seeds.ts).
 */

function seedErrorValidator() {
  const text = seedText('004_ff838236932b7db4.txt');
  const yaml = /````yaml[^\n]*\n([\s\S]*?)\n````/.exec(text)?.[1];
  if (!yaml) throw new Error('seed 004 has no OpenAPI block');
  const doc = parseYaml(yaml) as { components: { schemas: Record<string, unknown> } };
  // `example` is an OpenAPI word JSON Schema ignores (not strict); `nullable: true` is OpenAPI's
  // "or null", written here as JSON Schema says it.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'seed004', components: orNull(doc.components) });
  const validate = ajv.getSchema('seed004#/components/schemas/Error')!;
  return (body: unknown) =>
    validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** `{nullable: true, …}` (OpenAPI 3.0) as `{anyOf: [{type: 'null'}, {…}]}` (JSON Schema), all the way down. */
function orNull(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(orNull);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const inner = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, orNull(v)]));
  return nullable === true ? { anyOf: [{ type: 'null' }, inner] } : inner;
}

const UPGRADE_FIELDS = [
  'type',
  'current_plan',
  'current_plan_display_name',
  'required_plan',
  'required_plan_display_name',
  'upgrade_url',
  'expires_at',
];
const CONNECT_FIELDS = ['type', 'provider', 'connection_url', 'expires_at'];

describe("seed 004's action objects", () => {
  const validate = seedErrorValidator();

  it('upgrade_plan over REST: seed 004 fields, valid against its Error schema; a page says what to do', async () => {
    const t = await startTestApp();
    // The free plan has no seats: inviting is refused.
    const invite = await inviteOverRest(t, { email: 'ed@agency.test', role: 'editor' });
    expect(invite.status).toBe(422);
    expect(validate(invite.body)).toEqual([]);
    const action = invite.body.error.action as Record<string, string>;
    expect(Object.keys(action).filter((k) => k !== 'label')).toEqual(expect.arrayContaining(UPGRADE_FIELDS));
    expect(action).toMatchObject({
      type: 'upgrade_plan',
      current_plan: 'free',
      current_plan_display_name: 'Free',
      required_plan: 'team',
      required_plan_display_name: 'Team',
      expires_at: new Date(t.clock.now().getTime() + 30 * 60_000).toISOString(),
    });
    expect(action.upgrade_url).toMatch(new RegExp(`^${t.url}/upgrade/`));

    const page = await fetch(action.upgrade_url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Upgrade Acme Agency to Team');
    expect(html).toContain('Settings → Plan → Switch to Team');
    expect(page.headers.get('cache-control')).toBe('no-store');

    // A token with one character changed is not ours; after 30 minutes the link is expired.
    const forged = action.upgrade_url!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(forged)).status).toBe(404);
    t.clock.advance(30 * 60_000 + 1);
    const expired = await fetch(action.upgrade_url!);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('Link expired');

    // A fourth client on the free plan, and a raised daily limit below enterprise.
    for (let i = 1; i <= 3; i++)
      await callWithKey(t.url, t.workspaceApiKey, 'POST', '/api/v1/workspace/users', {
        email: `c${i}@client.test`,
        displayName: `C${i}`,
      });
    const fourth = await callWithKey(t.url, t.workspaceApiKey, 'POST', '/api/v1/workspace/users', {
      email: 'c4@client.test',
      displayName: 'C4',
    });
    expect(fourth.status).toBe(422);
    expect(validate(fourth.body)).toEqual([]);
    expect(fourth.body.error).toMatchObject({ code: 'client_limit_reached', action: { required_plan: 'team' } });

    const userId = (t.app.engine.ctx.db.prepare(`SELECT id FROM managed_users LIMIT 1`).get() as { id: string }).id;
    const raised = await callWithKey(t.url, t.workspaceApiKey, 'PATCH', `/api/v1/workspace/users/${userId}`, {
      dailyPostLimit: 500,
    });
    expect(raised.status).toBe(403);
    expect(validate(raised.body)).toEqual([]);
    expect(raised.body.error.action).toMatchObject({
      required_plan: 'enterprise',
      required_plan_display_name: 'Enterprise',
    });
  });

  it('connect_social_account over REST and the contract: seed 004 fields, a live connection link', async () => {
    const t = await startTestApp();
    const created = await callWithKey(t.url, t.workspaceApiKey, 'POST', '/api/v1/workspace/users', {
      email: 'casey@client.test',
      displayName: 'Casey',
    });
    const userId = (created.body as unknown as { id: string }).id;
    const refused = await fetch(`${t.url}/api/v1/post-groups`, {
      method: 'POST',
      headers: { 'x-publora-key': t.workspaceApiKey, 'x-publora-user-id': userId, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello', platformIds: ['mastodon-109'] }),
    });
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { action: Record<string, string> } };
    expect(validate(body)).toEqual([]);
    expect(Object.keys(body.error.action).filter((k) => k !== 'label')).toEqual(expect.arrayContaining(CONNECT_FIELDS));
    expect(body.error.action).toMatchObject({
      type: 'connect_social_account',
      provider: 'mastodon',
      connection_url: expect.stringMatching(new RegExp(`^${t.url}/connect/[\\w-]{40,}$`)),
      expires_at: new Date(t.clock.now().getTime() + 7 * 24 * 3600_000).toISOString(),
    });
    const page = await fetch(body.error.action.connection_url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Hello Casey');

    // The same refusal through the contract (what the app's own screens get).
    const viaContract = await t.app.engine.dispatch('post.create', {
      workspaceId: t.workspaceId,
      userId,
      post: { text: 'Hello', platformIds: ['x-42'] },
    });
    expect(viaContract.ok).toBe(false);
    if (viaContract.ok) return;
    expect(validate({ error: viaContract.error })).toEqual([]);
    expect(viaContract.error.action).toMatchObject({ type: 'connect_social_account', provider: 'x' });
    const invite = await t.app.engine.dispatch('team.invite', {
      workspaceId: t.workspaceId,
      invite: { email: 'ed@agency.test', role: 'editor' },
    });
    expect(invite.ok).toBe(false);
    if (!invite.ok) expect(validate({ error: invite.error })).toEqual([]);
  });
});
