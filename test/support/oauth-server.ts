import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error -- oidc-provider 9 is ESM without type declarations;
// Node ≥ 20.19 loads it from CommonJS too (require(esm)).
import Provider from 'oidc-provider';

/*
 * A real OAuth 2.0 / OpenID Connect authorization server (panva's `oidc-provider` 9) on loopback,
 * standing in for LinkedIn's: discovery, authorization with PKCE (S256, required), RFC 9207 `iss`
 * in authorization responses, a confidential native client (client_secret_post) whose loopback
 * redirect URI may use any port (RFC 8252 §7.3), the token endpoint, refresh tokens and userinfo.
 * People sign in and consent on its built-in development pages (`devInteractions`):
 *   /interaction/:uid  "Sign-in":   input[name=login], input[name=password], button "Sign-in"
 *                      "Authorize": button "Continue"; both pages have a "[ Cancel ]" link
 *                      (/interaction/:uid/abort) that ends the flow with error=access_denied.
 * Signing in with the login of the one account (`li-casey` by default) works with any password;
 * any other login fails (findAccount knows only that account).
 */

export interface OAuthAccount {
  sub: string;
  name: string;
  email: string;
}

export interface OAuthServerOptions {
  account?: OAuthAccount;
  /** Registered redirect URIs; by default the portless loopback callback (any port matches). */
  redirectUris?: string[];
  clientId?: string;
  /**
   * `native` (default): a desk's loopback redirect (RFC 8252). `web`: a team host's redirect on its
   * public https URL, registered exactly, as an agency registers a web app (issue 12 item 5).
   */
  applicationType?: 'native' | 'web';
}

export interface OAuthServer {
  /** The issuer identifier, e.g. `http://127.0.0.1:41234` (also the base URL of every endpoint). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  account: OAuthAccount;
  close(): Promise<void>;
}

export const CASEY: OAuthAccount = { sub: 'li-casey', name: 'Casey Client', email: 'casey@client.test' };

/** What this file uses of oidc-provider's Provider (it ships no types). */
interface ProviderInstance {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): void;
}
const ProviderClass = Provider as new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

interface ClientLike {
  grantTypeAllowed(type: string): boolean;
}

/**
 * Runs `make` without oidc-provider's start-up warnings about its in-memory store and dev pages,
 * which are the point here.
 */
function quietly<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /oidc-provider WARNING: a quick start development-only/.test(args[0])) return;
    warn(...args);
  };
  try {
    return make();
  } finally {
    console.warn = warn;
  }
}

export async function startOAuthServer(opts: OAuthServerOptions = {}): Promise<OAuthServer> {
  const account = opts.account ?? CASEY;
  const clientId = opts.clientId ?? 'postroom-linkedin';
  const clientSecret = randomBytes(32).toString('base64url');

  // Listen first: the issuer identifier carries the actual port.
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };

  const provider = quietly(
    () =>
      new ProviderClass(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            application_type: opts.applicationType ?? 'native',
            redirect_uris: opts.redirectUris ?? ['http://127.0.0.1/oauth/callback'],
            token_endpoint_auth_method: 'client_secret_post',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
          },
        ],
        responseTypes: ['code'],
        clientAuthMethods: ['client_secret_post'],
        pkce: { required: () => true },
        // LinkedIn's posting scopes (a member's own posts; a page's posts and the pages one administers);
        // the others are OpenID Connect's.
        scopes: [
          'openid',
          'offline_access',
          'profile',
          'email',
          'w_member_social',
          'w_organization_social',
          'r_organization_admin',
        ],
        claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
        async findAccount(_ctx: unknown, sub: string) {
          if (sub !== account.sub) return undefined;
          return { accountId: sub, claims: async () => ({ sub, name: account.name, email: account.email }) };
        },
        // LinkedIn hands out refresh tokens without offline_access; so does this server.
        issueRefreshToken: async (_ctx: unknown, client: ClientLike) => client.grantTypeAllowed('refresh_token'),
        features: {
          devInteractions: { enabled: true },
          userinfo: { enabled: true },
          revocation: { enabled: true },
        },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        jwks: { keys: [signingKey] },
        ttl: {
          AccessToken: 3600,
          AuthorizationCode: 60,
          IdToken: 3600,
          RefreshToken: 14 * 24 * 3600,
          Interaction: 600,
          Session: 3600,
          Grant: 3600,
        },
      }),
  );
  provider.on('server_error', (_ctx, err) => console.error('[oauth-server] server_error:', err));
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    account,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
