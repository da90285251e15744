import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import type { PlatformModule } from '../module';
import { blueskyAdapter } from './adapter';

/**
 * Bluesky (AT Protocol): people connect with AT Protocol OAuth or an app password, not with this
 * registry's OAuth spec. The record key is derived from the idempotency key, so a repeat is safe
 * for as long as the post exists (30 days kept as the window).
 */
export const bluesky: PlatformModule = {
  name: PLATFORM_RULES.bluesky.name,
  adapter: blueskyAdapter,
  idempotencyWindowMs: 30 * 24 * 60 * 60 * 1000,
  defaultApiBase: 'https://bsky.social',
  oauth: null,
  rules: PLATFORM_RULES.bluesky,
  checkIntegration: async () => ({
    ok: true,
    message: 'Saved. This platform can only be checked by connecting an account.',
  }),
};
