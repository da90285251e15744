import { MASTODON_SCOPES, mastodonAdapter } from './adapter';
import { accountThroughAdapter, type OAuthPlatform } from '../oauth';

/** Mastodon apps may register several redirect URIs; the instance is the authorization server. */
export const mastodonOAuth: OAuthPlatform = {
  scope: () => MASTODON_SCOPES,
  redirect: 'fixed',
  async server(i) {
    const base = new URL(i.instance_url ?? 'https://mastodon.social');
    return {
      issuer: base.origin,
      authorization_endpoint: new URL('/oauth/authorize', base).href,
      token_endpoint: new URL('/oauth/token', base).href,
    };
  },
  account: accountThroughAdapter(mastodonAdapter, 'https://mastodon.social'),
};
