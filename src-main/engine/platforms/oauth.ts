import * as oauth from 'oauth4webapi';
import type { Platform } from '../../../src-shared/contract';
import type { IntegrationRow } from '../queries/integrations';
import type { TokenSet } from './types';

export interface OAuthPlatform {
  /** What the sign-in asks for; it may depend on the integration's settings. */
  scope(integration: IntegrationRow): string;
  /** Fixed: the provider matches the registered redirect URI exactly (port included). */
  redirect: 'fixed' | 'ephemeral';
  /** Where the authorization server's metadata comes from. */
  server(integration: IntegrationRow): Promise<oauth.AuthorizationServer>;
  /** The account behind fresh tokens. */
  account(
    as: oauth.AuthorizationServer,
    client: oauth.Client,
    tokens: oauth.TokenEndpointResponse,
    integration: IntegrationRow,
  ): Promise<{ accountId: string; handle: string; displayName: string }>;
}

export const isLoopback = (url: URL) =>
  url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

/** Plain http is accepted only for an authorization server on this machine (tests, local setups). */
export function httpOptions(url: URL): { [oauth.allowInsecureRequests]?: boolean } {
  return isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

export async function discover(issuerUrl: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(issuerUrl);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...httpOptions(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** The OAuth side of each platform that connects with an authorization-code flow. */
export const OAUTH_PLATFORMS: Partial<Record<Platform, OAuthPlatform>> = {
  // LinkedIn's sign-in is OpenID Connect; its redirect URIs are registered exactly.
  linkedin: {
    // Organisation pages only where the agency turned them on (LinkedIn refuses unapproved scopes).
    scope: (i) =>
      `openid profile email w_member_social${i.organization_pages ? ' w_organization_social r_organization_admin' : ''}`,
    redirect: 'fixed',
    server: (i) => discover(i.issuer_url ?? 'https://www.linkedin.com/oauth'),
    async account(as, client, tokens, integration) {
      const url = new URL(as.userinfo_endpoint ?? 'https://api.linkedin.com/v2/userinfo');
      const response = await oauth.userInfoRequest(as, client, tokens.access_token, httpOptions(url));
      const claims = getIdSubject(tokens);
      const info = await oauth.processUserInfoResponse(as, client, claims ?? oauth.skipSubjectCheck, response);
      void integration;
      const name = typeof info.name === 'string' ? info.name : info.sub;
      return { accountId: info.sub, handle: typeof info.email === 'string' ? info.email : info.sub, displayName: name };
    },
  },
  // X: OAuth 2.0 with PKCE on fixed endpoints; redirect URIs are registered exactly.
  x: {
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
    async account(_as, _client, tokens, integration) {
      const { xAdapter } = await import('./x');
      return xAdapter.profile(
        {
          clientId: integration.client_id ?? '',
          clientSecret: null,
          apiBaseUrl: integration.instance_url ?? 'https://api.x.com',
        },
        toTokenSet(tokens, new Date()),
      );
    },
  },
  // Mastodon apps may register several redirect URIs; the instance is the authorization server.
  mastodon: {
    scope: () => 'read write',
    redirect: 'fixed',
    async server(i) {
      const base = new URL(i.instance_url ?? 'https://mastodon.social');
      return {
        issuer: base.origin,
        authorization_endpoint: new URL('/oauth/authorize', base).href,
        token_endpoint: new URL('/oauth/token', base).href,
      };
    },
    async account(_as, _client, tokens, integration) {
      const { mastodonAdapter } = await import('./mastodon');
      return mastodonAdapter.profile(
        {
          clientId: integration.client_id ?? '',
          clientSecret: null,
          apiBaseUrl: integration.instance_url ?? 'https://mastodon.social',
        },
        toTokenSet(tokens, new Date()),
      );
    },
  },
};

function getIdSubject(tokens: oauth.TokenEndpointResponse): string | undefined {
  return oauth.getValidatedIdTokenClaims(tokens)?.sub;
}

export function toTokenSet(tokens: oauth.TokenEndpointResponse, now: Date, previous?: TokenSet): TokenSet {
  return {
    accessToken: tokens.access_token,
    // A refresh that brings no refresh token keeps the one we had (never overwrite with empty).
    refreshToken: tokens.refresh_token || previous?.refreshToken || null,
    expiresAt:
      typeof tokens.expires_in === 'number' ? new Date(now.getTime() + tokens.expires_in * 1000).toISOString() : null,
    scope: tokens.scope ?? null,
  };
}
