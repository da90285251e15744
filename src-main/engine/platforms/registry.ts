import type { Platform } from '../../../src-shared/contract';
import type { EngineContext } from '../kernel/context';
import { integrationFor } from '../queries/integrations';
import { latestMastodonApp } from '../queries/mastodon-apps';
import { bluesky } from './bluesky';
import { facebook } from './facebook';
import { instagram } from './instagram';
import { linkedin } from './linkedin';
import { mastodon } from './mastodon';
import type { PlatformModule } from './module';
import type { OAuthPlatform } from './oauth';
import { threads } from './threads';
import type { PlatformClient } from './types';
import { x } from './x';

/**
 * The platforms Postroom publishes to, one module each (`platforms/<name>/`, issue 14 item 1).
 * A complete `Record` over `PublishablePlatform`: a platform added there does not compile until
 * its module exists, with every part `PlatformModule` asks for.
 */
export const PLATFORMS = { bluesky, mastodon, x, linkedin, instagram, facebook, threads } as const satisfies Record<
  PublishablePlatform,
  PlatformModule
>;

/** Every platform of the contract has a module. */
export type PublishablePlatform = Platform;

export const isPublishable = (platform: Platform): platform is PublishablePlatform => platform in PLATFORMS;

/** The module of a platform, or undefined for one Postroom cannot publish to yet. */
export const platformModule = (platform: Platform): PlatformModule | undefined =>
  isPublishable(platform) ? PLATFORMS[platform] : undefined;

/** What the scheduler, the token keeper and the credential checks need of a platform. */
export type AdapterEntry = Pick<PlatformModule, 'adapter' | 'idempotencyWindowMs' | 'defaultApiBase'>;

/** The adapters by platform (tests replace the lookup with their own). */
export const ADAPTERS: Partial<Record<Platform, AdapterEntry>> = PLATFORMS;

export type AdapterLookup = (platform: Platform) => AdapterEntry | undefined;
export const defaultAdapters: AdapterLookup = platformModule;

/** The OAuth spec of a platform that connects with an authorization-code flow, else undefined. */
export const oauthPlatform = (platform: Platform): OAuthPlatform | undefined =>
  platformModule(platform)?.oauth ?? undefined;

/**
 * The app credentials and API base of a workspace's integration. `instanceUrl` is the Mastodon
 * instance, and for the other platforms an override of their API base (a local server in tests).
 */
export async function platformClientFor(
  ctx: EngineContext,
  workspaceId: string,
  platform: Platform,
  entry: AdapterEntry,
): Promise<PlatformClient | null> {
  // No integration, no app credentials: nothing to publish with (and no call leaves the machine).
  const integration = integrationFor(ctx.db, workspaceId, platform);
  if (!integration) return null;
  const apiBaseUrl = integration.instance_url ?? entry.defaultApiBase;
  if (!apiBaseUrl) return null;
  // A Mastodon integration naming only its instance signs in with Postroom's own app there (D107).
  const app =
    integration.client_id || platform !== 'mastodon'
      ? { client_id: integration.client_id, secret_account: integration.secret_account }
      : (latestMastodonApp(ctx.db, apiBaseUrl) ?? { client_id: null, secret_account: null });
  const secret = app.secret_account ? await ctx.secrets.get(app.secret_account) : null;
  return { clientId: app.client_id ?? '', clientSecret: secret, apiBaseUrl };
}
