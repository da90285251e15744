import type { EngineContext } from '../../src-main/engine/kernel/context';
import type { Engine } from '../../src-main/engine/engine';
import { newId } from '../../src-main/engine/kernel/ids';
import type { TokenSet } from '../../src-main/engine/platforms/types';
import type { Platform } from '../../src-shared/contract';
import { firstRun } from './engine';
import { tokenAccount } from '../../src-main/engine/queries/tokens';

/** A connection as a finished OAuth flow leaves it: the row in SQLite, the tokens in the keychain. */
export async function addConnection(
  ctx: EngineContext,
  workspaceId: string,
  userId: string,
  platform: Platform,
  accountId: string,
  tokens: Partial<TokenSet> & { accessToken: string },
): Promise<string> {
  const id = newId('conn');
  const now = ctx.clock.now().toISOString();
  await ctx.secrets.set(
    tokenAccount(ctx.installId, id),
    JSON.stringify({ refreshToken: null, expiresAt: null, scope: null, ...tokens }),
  );
  ctx.db
    .prepare(
      `INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                               display_name, status, connected_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
    )
    .run(id, workspaceId, userId, platform, accountId, `${platform}-${accountId}`, accountId, accountId, now, now);
  return `${platform}-${accountId}`;
}

/** Platforms nobody answers for (port 9, discard): for tests that make and read posts but never publish. */
export const UNREACHABLE_PLATFORMS = {
  mastodonUrl: 'http://127.0.0.1:9',
  mastodonToken: 'm',
  mastodonAccountId: '1',
  xUrl: 'http://127.0.0.1:9',
  xToken: 'x',
};

export interface PostingSetup {
  workspaceId: string;
  userId: string;
  mastodonId: string;
  xId: string;
}

/** First run with Mastodon and X integrations pointing at local servers, one client with both connected. */
export async function setUpPosting(
  engine: Engine,
  servers: { mastodonUrl: string; mastodonToken: string; mastodonAccountId: string; xUrl: string; xToken: string },
  options: { plan?: 'free' | 'team' | 'enterprise'; timezone?: string } = {},
): Promise<PostingSetup> {
  const workspaceId = await firstRun(engine, {
    name: 'Posting Agency',
    planId: options.plan ?? 'team',
    integrations: [
      {
        platform: 'mastodon',
        clientId: 'mastodon-app',
        clientSecret: 'mastodon-secret',
        instanceUrl: servers.mastodonUrl,
      },
      { platform: 'x', clientId: 'x-app', instanceUrl: servers.xUrl },
    ],
  });
  const user = await engine.call('client.create', {
    workspaceId,
    client: { email: 'client@acme.test', displayName: 'Acme Corp', timezone: options.timezone ?? 'Europe/Paris' },
  });
  const mastodonId = await addConnection(engine.ctx, workspaceId, user.id, 'mastodon', servers.mastodonAccountId, {
    accessToken: servers.mastodonToken,
  });
  const xId = await addConnection(engine.ctx, workspaceId, user.id, 'x', '2244994945', { accessToken: servers.xToken });
  return { workspaceId, userId: user.id, mastodonId, xId };
}

/**
 * First run with a LinkedIn integration on the local LinkedIn `li` (with `integration`'s extra
 * fields), and one client (Casey Client Co, UTC) whose LinkedIn member is connected with `scope`.
 */
export async function setUpLinkedInPosting(
  engine: Engine,
  li: { url: string; clientId: string; clientSecret: string; sub: string; accessToken: string; refreshToken: string },
  options: { scope: string | null; integration?: { organizationPages?: boolean } },
): Promise<{ workspaceId: string; userId: string; platformId: string }> {
  const workspaceId = await firstRun(engine, {
    name: 'Northwind Social',
    planId: 'team',
    integrations: [
      {
        platform: 'linkedin',
        clientId: li.clientId,
        clientSecret: li.clientSecret,
        instanceUrl: li.url,
        ...options.integration,
      },
    ],
  });
  const user = await engine.call('client.create', {
    workspaceId,
    client: { email: 'casey@client.test', displayName: 'Casey Client Co', timezone: 'UTC' },
  });
  const platformId = await addConnection(engine.ctx, workspaceId, user.id, 'linkedin', li.sub, {
    accessToken: li.accessToken,
    refreshToken: li.refreshToken,
    scope: options.scope,
  });
  return { workspaceId, userId: user.id, platformId };
}
