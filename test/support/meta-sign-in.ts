import { createHash, randomBytes } from 'node:crypto';
import type { MetaSignIn } from '../../src-main/engine/platforms/meta-graph';

/**
 * A sign-in as the connection flow runs it against a local Meta server: the authorization URL
 * with PKCE and state, the person consenting (the server redirects at once), and the code
 * exchanged by the adapter's sign-in.
 */
export async function signInWith(
  signIn: MetaSignIn,
  client: { clientId: string; clientSecret: string | null; apiBaseUrl: string },
  redirectUri = 'http://127.0.0.1:47200/oauth/callback',
) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(signIn.authorizationEndpoint(client));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', signIn.scope);
  url.searchParams.set('state', 'state-1');
  url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  const consent = await fetch(url, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location') ?? 'http://invalid/');
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back.href}`);
  if (back.searchParams.get('state') !== 'state-1') throw new Error('state lost');
  return signIn.exchange(client, code, redirectUri, verifier);
}
