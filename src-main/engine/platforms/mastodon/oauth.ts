import { MASTODON_SCOPES, mastodonAdapter } from './adapter';
import { accountThroughAdapter, fixedServer, type OAuthPlatform } from '../oauth';

/** Mastodon apps may register several redirect URIs; the instance is the authorization server. */
export const mastodonOAuth: OAuthPlatform = {
  scope: () => MASTODON_SCOPES,
  redirect: 'fixed',
  server: fixedServer({ web: 'https://mastodon.social', authorize: '/oauth/authorize', token: '/oauth/token' }),
  account: accountThroughAdapter(mastodonAdapter, 'https://mastodon.social'),
};
