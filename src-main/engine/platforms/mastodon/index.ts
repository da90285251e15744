import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import type { PlatformModule } from '../module';
import { mastodonAdapter } from './adapter';
import { mastodonOAuth } from './oauth';

/**
 * Mastodon: the instance is the API and the authorization server, so an integration names it
 * (no default). An `Idempotency-Key` is honoured for about an hour; 55 minutes leaves a margin.
 */
export const mastodon: PlatformModule = {
  name: PLATFORM_RULES.mastodon.name,
  adapter: mastodonAdapter,
  idempotencyWindowMs: 55 * 60 * 1000,
  defaultApiBase: null,
  oauth: mastodonOAuth,
  rules: PLATFORM_RULES.mastodon,
  async checkIntegration(integration) {
    const res = await fetch(new URL('/api/v2/instance', integration.instance_url ?? 'https://mastodon.social'), {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return { ok: false, message: `The instance answered HTTP ${res.status}.` };
    const body = (await res.json()) as { title?: string };
    return { ok: true, message: `Reached ${body.title ?? 'the instance'}.` };
  },
};
