import { xAdapter } from './adapter';
import { accountThroughAdapter, fixedServer, type OAuthPlatform } from '../oauth';

/** X: OAuth 2.0 with PKCE on fixed endpoints; redirect URIs are registered exactly. */
export const xOAuth: OAuthPlatform = {
  scope: () => 'tweet.read tweet.write users.read media.write offline.access',
  redirect: 'fixed',
  // `instanceUrl` overrides X's hosts (a local server speaking X's API in tests).
  server: fixedServer({
    web: 'https://x.com',
    api: 'https://api.x.com',
    authorize: '/i/oauth2/authorize',
    token: '/2/oauth2/token',
  }),
  account: accountThroughAdapter(xAdapter, 'https://api.x.com'),
};
