import { PLATFORM_RULES } from '../../../src-shared/platform-rules';
import type { MetaSignIn } from './meta-graph';
import { checkSignInServer, type PlatformModule } from './module';
import type { OAuthPlatform } from './oauth';
import type { PlatformAdapter } from './types';

/**
 * A Meta platform's OAuth side: the window from its sign-in, the exchange and the account its own
 * way. Redirect URIs are registered exactly on Meta apps; the API base (instanceUrl in tests)
 * serves every host.
 */
export function metaOAuth(defaultApiBase: string, signIn: MetaSignIn, adapter: PlatformAdapter): OAuthPlatform {
  return {
    scope: () => signIn.scope,
    redirect: 'fixed',
    async server(i) {
      const authorization = new URL(signIn.authorizationEndpoint({ apiBaseUrl: i.instance_url ?? defaultApiBase }));
      return { issuer: authorization.origin, authorization_endpoint: authorization.href };
    },
    account: () => Promise.reject(new Error('Meta sign-ins read the account through their adapter')),
    meta: { defaultApiBase, signIn, adapter },
  };
}

/**
 * A Meta platform's module (Facebook, Instagram, Threads): Graph takes no idempotency key, so after
 * a crash the account's own posts are searched (findPublished); its integration is checked by
 * reaching its sign-in server.
 */
export function metaPlatformModule(
  platform: 'facebook' | 'instagram' | 'threads',
  defaultApiBase: string,
  signIn: MetaSignIn,
  adapter: PlatformAdapter,
): PlatformModule {
  const oauth = metaOAuth(defaultApiBase, signIn, adapter);
  return {
    name: PLATFORM_RULES[platform].name,
    adapter,
    idempotencyWindowMs: null,
    defaultApiBase,
    oauth,
    rules: PLATFORM_RULES[platform],
    checkIntegration: (integration) => checkSignInServer(oauth, integration),
  };
}
