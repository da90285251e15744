import { MASTODON_SCOPES, mastodonAdapter } from './adapter';
import { toTokenSet, type OAuthPlatform } from '../oauth';

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
  account(_as, _client, tokens, integration) {
    return mastodonAdapter.profile(
      {
        clientId: integration.client_id ?? '',
        clientSecret: null,
        apiBaseUrl: integration.instance_url ?? 'https://mastodon.social',
      },
      toTokenSet(tokens, new Date()),
    );
  },
};
