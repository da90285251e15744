/*
 * Who Postroom is to a Bluesky authorization server (atproto OAuth spec, "Client ID Metadata"):
 *
 * - a desk (single-desk mode): redirect URI `http://127.0.0.1:<port>/oauth/callback` (RFC 8252); client_id the
 *   loopback id `http://localhost?redirect_uri=…&scope=…`: no document;
 * - a team host: redirect URI `<public URL>/oauth/callback`; client_id
 *   `<public URL>/oauth/bluesky/client-metadata.json`, the document the host serves there.
 *
 * The host is a public web client (`token_endpoint_auth_method: none`, DPoP-bound tokens): no
 * client key to keep, rotate or lose, at the price of the shorter sessions the spec gives public
 * clients (docs/decisions.md D114). No `@atproto` library here: the host's pages load this
 * module, and the library loads only when someone connects.
 */

export const BLUESKY_OAUTH_SCOPE = 'atproto transition:generic';

/** Where a team host serves its client metadata document; its full URL is the host's client_id. */
export const BLUESKY_CLIENT_METADATA_PATH = '/oauth/bluesky/client-metadata.json';

/** The callback every platform's flow comes back to, on a desk's loopback server or a host's public URL. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

/** The client_id of a team host on `publicOrigin` (`https://postroom.agency.example`). */
export const hostClientId = (publicOrigin: string): string => `${publicOrigin}${BLUESKY_CLIENT_METADATA_PATH}`;

/** The client metadata document of a team host (draft-ietf-oauth-client-id-metadata-document; atproto OAuth). */
export interface HostClientMetadata {
  client_id: string;
  client_name: string;
  client_uri: string;
  application_type: 'web';
  redirect_uris: [string];
  scope: string;
  grant_types: ['authorization_code', 'refresh_token'];
  response_types: ['code'];
  token_endpoint_auth_method: 'none';
  dpop_bound_access_tokens: true;
}

/** The document a team host serves at its client_id: what the authorization server checks the flow against. */
export function hostClientMetadata(publicOrigin: string): HostClientMetadata {
  return {
    client_id: hostClientId(publicOrigin),
    client_name: 'Postroom',
    client_uri: publicOrigin,
    application_type: 'web',
    redirect_uris: [`${publicOrigin}${OAUTH_CALLBACK_PATH}`],
    scope: BLUESKY_OAUTH_SCOPE,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
  };
}

/** The public origin a host client_id names, or null when `clientId` is not one (a loopback id, another path). */
export function hostOriginOf(clientId: string): string | null {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return null;
  }
  return url.protocol === 'https:' && url.pathname === BLUESKY_CLIENT_METADATA_PATH && !url.search && !url.hash
    ? url.origin
    : null;
}
