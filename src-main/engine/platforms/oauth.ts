import * as oauth from 'oauth4webapi';
import type { IntegrationRow } from '../queries/integrations';
import type { MetaSignIn } from './meta-graph';
import type { PlatformAdapter, TokenSet } from './types';

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
  /**
   * Meta's sign-ins (Instagram, Facebook, Threads) are not plain OAuth 2.0 token answers and end
   * with a long-lived token exchange: their own code exchange, then the adapter reads the account.
   */
  meta?: { defaultApiBase: string; signIn: MetaSignIn; adapter: PlatformAdapter };
}

/**
 * An authorization server on fixed paths, without a discovery document (Mastodon, X): the
 * authorization window on `web`, the token endpoint on `api` (the same host unless given); the
 * integration's instance URL stands for both (a Mastodon instance; a local server in tests).
 */
export const fixedServer =
  (hosts: { web: string; api?: string; authorize: string; token: string }) =>
  async (integration: IntegrationRow): Promise<oauth.AuthorizationServer> => {
    const web = new URL(integration.instance_url ?? hosts.web);
    const api = new URL(integration.instance_url ?? hosts.api ?? hosts.web);
    return {
      issuer: web.origin,
      authorization_endpoint: new URL(hosts.authorize, web).href,
      token_endpoint: new URL(hosts.token, api).href,
    };
  };

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

export function getIdSubject(tokens: oauth.TokenEndpointResponse): string | undefined {
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

/**
 * `account` for a platform whose adapter reads the profile with a plain access token (Mastodon,
 * X): the integration's instance, else the platform's own API.
 */
export function accountThroughAdapter(adapter: PlatformAdapter, defaultApiBase: string): OAuthPlatform['account'] {
  return (_as, _client, tokens, integration) =>
    adapter.profile(
      {
        clientId: integration.client_id ?? '',
        clientSecret: null,
        apiBaseUrl: integration.instance_url ?? defaultApiBase,
      },
      toTokenSet(tokens, new Date()),
    );
}
