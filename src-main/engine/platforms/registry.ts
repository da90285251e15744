import type { Platform } from '../../../src-shared/contract';
import type { EngineContext } from '../kernel/context';
import { blueskyAdapter } from './bluesky';
import { LINKEDIN_API_BASE, linkedinAdapter } from './linkedin';
import { mastodonAdapter } from './mastodon';
import type { PlatformAdapter, PlatformClient } from './types';
import { X_API_BASE, xAdapter } from './x';
import { integrationFor } from '../queries/integrations';

export interface AdapterEntry {
  adapter: PlatformAdapter;
  /**
   * The platform honours an idempotency key for a while (Mastodon: about an hour), so a call whose
   * outcome is unknown may be repeated with the same key inside that window.
   */
  idempotencyWindowMs: number | null;
  defaultApiBase: string | null;
}

/** The platforms Postroom can publish to today. */
export const ADAPTERS: Partial<Record<Platform, AdapterEntry>> = {
  // Bluesky: the record key is derived from the idempotency key, safe for as long as the post exists.
  bluesky: {
    adapter: blueskyAdapter,
    idempotencyWindowMs: 30 * 24 * 60 * 60 * 1000,
    defaultApiBase: 'https://bsky.social',
  },
  mastodon: { adapter: mastodonAdapter, idempotencyWindowMs: 55 * 60 * 1000, defaultApiBase: null },
  x: { adapter: xAdapter, idempotencyWindowMs: null, defaultApiBase: X_API_BASE },
  // LinkedIn takes no idempotency key either.
  linkedin: { adapter: linkedinAdapter, idempotencyWindowMs: null, defaultApiBase: LINKEDIN_API_BASE },
};

export type AdapterLookup = (platform: Platform) => AdapterEntry | undefined;
export const defaultAdapters: AdapterLookup = (platform) => ADAPTERS[platform];

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
  const secret = integration.secret_account ? await ctx.secrets.get(integration.secret_account) : null;
  return { clientId: integration.client_id ?? '', clientSecret: secret, apiBaseUrl };
}
