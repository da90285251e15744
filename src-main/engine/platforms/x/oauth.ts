import { xAdapter } from './adapter';
import { accountThroughAdapter, type OAuthPlatform } from '../oauth';

/** X: OAuth 2.0 with PKCE on fixed endpoints; redirect URIs are registered exactly. */
export const xOAuth: OAuthPlatform = {
  scope: () => 'tweet.read tweet.write users.read media.write offline.access',
  redirect: 'fixed',
  async server(i) {
    // `instanceUrl` overrides X's hosts (a local server speaking X's API in tests).
    const web = new URL(i.instance_url ?? 'https://x.com');
    const api = new URL(i.instance_url ?? 'https://api.x.com');
    return {
      issuer: web.origin,
      authorization_endpoint: new URL('/i/oauth2/authorize', web).href,
      token_endpoint: new URL('/2/oauth2/token', api).href,
    };
  },
  account: accountThroughAdapter(xAdapter, 'https://api.x.com'),
};
