import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { MASTODON_SCOPES, registerMastodonApp, type FetchLike } from '../platforms/mastodon/adapter';
import { PlatformError } from '../platforms/types';
import type { IntegrationRow } from '../queries/integrations';
import { findMastodonApp, instanceKey, saveMastodonApp } from '../queries/mastodon-apps';

/** The app credentials an OAuth flow signs in with: the client ID and where its secret is kept. */
export interface AppCredentials {
  clientId: string;
  secretAccount: string | null;
}

/** Registrations under way, so two sign-ins starting at once register one app (per engine). */
const registering = new WeakMap<EngineContext, Map<string, Promise<AppCredentials>>>();

/**
 * Postroom's app on a Mastodon instance (issue 10 item 7, D107). Mastodon lets any program register
 * itself with `POST /api/v1/apps` (https://docs.joinmastodon.org/methods/apps/#create), so staff
 * name only the instance. The app is registered the first time it is needed for a redirect URI and
 * reused after that, for every workspace naming the instance: its client ID in SQLite, its secret
 * in the keychain only. A lost secret (a fresh keyring) or a new redirect URI (a desk's loopback
 * port changed) registers a new app; the old registration's secret leaves the keychain.
 */
export async function mastodonAppFor(
  ctx: EngineContext,
  instanceUrl: string,
  redirectUri: string,
  fetchImpl?: FetchLike,
): Promise<AppCredentials> {
  const key = `${instanceKey(instanceUrl)} ${redirectUri} ${MASTODON_SCOPES}`;
  const known = findMastodonApp(ctx.db, instanceUrl, redirectUri, MASTODON_SCOPES);
  if (known && (await ctx.secrets.get(known.secret_account)) !== null)
    return { clientId: known.client_id, secretAccount: known.secret_account };
  const inFlight = registering.get(ctx) ?? new Map<string, Promise<AppCredentials>>();
  registering.set(ctx, inFlight);
  const pending = inFlight.get(key);
  if (pending) return pending;
  const registration = register(ctx, instanceUrl, redirectUri, known?.secret_account ?? null, fetchImpl).finally(() =>
    inFlight.delete(key),
  );
  inFlight.set(key, registration);
  return registration;
}

async function register(
  ctx: EngineContext,
  instanceUrl: string,
  redirectUri: string,
  replacedAccount: string | null,
  fetchImpl?: FetchLike,
): Promise<AppCredentials> {
  const origin = instanceKey(instanceUrl);
  let app: { clientId: string; clientSecret: string };
  try {
    app = await registerMastodonApp(origin, redirectUri, MASTODON_SCOPES, fetchImpl);
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    const message = `Postroom could not register itself on ${origin}: ${err.message}.`;
    throw err.retryable
      ? new AppError('platform_unavailable', `${message} Try again in a moment.`, { instanceUrl: origin })
      : new AppError('invalid_platform', `${message} Check the instance's address in Settings → Integrations.`, {
          instanceUrl: origin,
        });
  }
  const id = newId('mapp');
  const secretAccount = `${ctx.installId}/mastodon-app/${id}`;
  await ctx.secrets.set(secretAccount, app.clientSecret);
  try {
    saveMastodonApp(ctx.db, {
      id,
      instance_url: origin,
      redirect_uri: redirectUri,
      scopes: MASTODON_SCOPES,
      client_id: app.clientId,
      secret_account: secretAccount,
      registered_at: ctx.clock.now().toISOString(),
    });
  } catch (err) {
    await ctx.secrets.delete(secretAccount);
    throw err;
  }
  if (replacedAccount) await ctx.secrets.delete(replacedAccount);
  return { clientId: app.clientId, secretAccount };
}

/**
 * The app a sign-in uses with an integration: the one staff entered, or for a Mastodon integration
 * that names only its instance, Postroom's own app there. Null when the platform is not set up.
 */
export async function appCredentialsFor(
  ctx: EngineContext,
  integration: IntegrationRow,
  redirectUri: string,
): Promise<AppCredentials | null> {
  if (integration.client_id) return { clientId: integration.client_id, secretAccount: integration.secret_account };
  if (integration.platform === 'mastodon' && integration.instance_url)
    return mastodonAppFor(ctx, integration.instance_url, redirectUri);
  return null;
}
