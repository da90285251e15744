import type { MetaSignIn } from './meta-graph';
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
