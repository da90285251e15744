import type { PlatformRules } from '../../../src-shared/platform-rules';
import type { IntegrationRow } from '../queries/integrations';
import type { OAuthPlatform } from './oauth';
import type { PlatformAdapter } from './types';

/** What `integration.test` answers: whether the platform's servers answer for this integration. */
export interface IntegrationCheck {
  ok: boolean;
  message: string;
}

/**
 * Everything Postroom knows about one platform, in its folder `platforms/<name>/` (issue 14 item
 * 1). The registry is a complete `Record` of these, so a new platform does not compile until each
 * part exists.
 */
export interface PlatformModule {
  /** How people call it (connection pages, messages); the rules' `name`. */
  name: string;
  adapter: PlatformAdapter;
  /**
   * The platform honours an idempotency key for a while (Mastodon: about an hour), so a call whose
   * outcome is unknown may be repeated with the same key inside that window. Null: it takes none,
   * and a publish cut short is looked for with `findPublished`.
   */
  idempotencyWindowMs: number | null;
  /** The API's base URL when the integration names none; null where the integration must (Mastodon's instance). */
  defaultApiBase: string | null;
  /**
   * How a person connects an account: an OAuth authorization-code flow described by this spec, or
   * null for Bluesky, which has its own (AT Protocol OAuth or an app password).
   */
  oauth: OAuthPlatform | null;
  /**
   * Text limits, media types and sizes. The data lives in src-shared/platform-rules.ts because the
   * renderer reads it too and may import only src-shared (D99); the module names it so the engine
   * reads one entry per platform.
   */
  rules: PlatformRules;
  /** Whether the platform's servers answer for this integration, without a person signing in. */
  checkIntegration(integration: IntegrationRow): Promise<IntegrationCheck>;
}

/** The check for an OAuth platform: its authorization server's metadata can be had. */
export async function checkSignInServer(oauth: OAuthPlatform, integration: IntegrationRow): Promise<IntegrationCheck> {
  const server = await oauth.server(integration);
  return { ok: true, message: `Reached the sign-in server ${server.issuer}.` };
}
