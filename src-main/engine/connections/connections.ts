import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { Platform } from '../../../src-shared/contract';
import type { PollRules } from '../../../src-shared/platform-rules';
import { authorize, type Principal } from '../kernel/access';
import { recordActivity, recordActivityOf, systemActor, type ActivityInput } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import type { PendingBlueskyAuthorization } from '../platforms/bluesky/atproto-oauth';
import type { OAuthPlatform } from '../platforms/oauth';
import type { TokenSet } from '../platforms/types';
import type { IntegrationRow } from '../queries/integrations';
import { findClientRow } from '../queries/clients';
import { getWorkspace } from '../queries/workspaces';
import { clientLinkStatus, type ClientLinkRow } from '../queries/client-links';
import { resolveConnectionLink, type ConnectionLinkInfo } from '../queries/connection-links';
import { integrationFor } from '../queries/integrations';
import { memberTokenAccount, tokenAccount } from '../queries/tokens';
import { httpOptions, toTokenSet } from '../platforms/oauth';
import { oauthPlatform } from '../platforms/registry';
import { readyPlatforms } from '../../../src-shared/integration-fields';
import { appCredentialsFor, type AppCredentials } from './mastodon-apps';

/** How long a person has between choosing a platform and coming back from its consent page. */
export const OAUTH_FLOW_TTL_MS = 10 * 60 * 1000;
/**
 * Sign-ins one connection link (or one member's re-authentications) may have open at once; past
 * it the oldest is dropped. A person needs one or two; without a cap every request to
 * `/connect/<token>/<platform>` kept a flow in memory for ten minutes (issue 9 item 3).
 */
export const MAX_PENDING_FLOWS_PER_LINK = 10;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

// ---- connection links -------------------------------------------------------------------------

export function listConnectionLinks(ctx: EngineContext, p: Principal, userId: string): ConnectionLinkInfo[] {
  authorize(p, 'connection.read', { managedUserId: userId });
  // Another workspace's client is not_found, not an empty list (issue 9 item 4).
  if (!findClientRow(ctx.db, p.workspaceId, userId)) throw new AppError('not_found', 'user not found', { userId });
  const now = ctx.clock.now();
  return ctx.db
    .prepare<[string, string], ClientLinkRow>(
      `SELECT * FROM connection_links WHERE managed_user_id = ? AND workspace_id = ?
       ORDER BY created_at DESC, rowid DESC`,
    )
    .all(userId, p.workspaceId)
    .map((r) => ({ id: r.id, createdAt: r.created_at, expiresAt: r.expires_at, status: clientLinkStatus(r, now) }));
}

export function revokeConnectionLink(ctx: EngineContext, p: Principal, userId: string, linkId: string): void {
  authorize(p, 'connection.manage', { managedUserId: userId });
  const now = ctx.clock.now();
  const changed = ctx.db
    .prepare(
      `UPDATE connection_links SET revoked_at = ?
       WHERE id = ? AND managed_user_id = ? AND workspace_id = ? AND revoked_at IS NULL`,
    )
    .run(now.toISOString(), linkId, userId, p.workspaceId).changes;
  if (changed === 0) throw new AppError('not_found', 'connection link not found or already revoked');
  recordActivityOf(ctx.db, now, p, {
    action: 'connection.link_revoked',
    objectKind: 'managed_user',
    objectId: userId,
    detail: 'Revoked a connection link',
  });
}

// ---- OAuth (RFC 6749 + PKCE RFC 7636, loopback redirect RFC 8252, iss RFC 9207) ------------

/**
 * Platforms a client can connect through a link: those whose integration has every required field
 * (src-shared/integration-fields.ts; Mastodon its instance, Bluesky nothing, the others their app).
 */
export function connectablePlatforms(db: Db, workspaceId: string): Platform[] {
  return readyPlatforms(getWorkspace(db, workspaceId).integrations).filter(
    (p) => oauthPlatform(p) !== undefined || p === 'bluesky',
  );
}

interface PendingFlow {
  /** The connection link it came from; null for a re-authentication started in the app. */
  linkId: string | null;
  workspaceId: string;
  managedUserId: string;
  platform: Platform;
  /** Who started it: null for the client through a link, else the member's profile. */
  startedBy: string | null;
  /** A re-authentication: the connection it renews, and whose tokens it writes (seed 003). */
  reauth: { connectionId: string; accountId: string; tokensOf: 'connection' | { memberId: string } } | null;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: number;
  /** The app it signs in with (an OAuth platform): staff's own, or Postroom's on a Mastodon instance. */
  client?: AppCredentials;
  /**
   * AT Protocol OAuth (Bluesky): the flow the official client library started (the account, its
   * authorization server, and the library's saved state: PKCE verifier and DPoP private key).
   */
  bluesky?: PendingBlueskyAuthorization;
}

/**
 * Flows in progress, keyed by the SHA-256 of their `state`. Held in memory only: the PKCE
 * verifier never touches the disk, and a flow cannot outlive the app (the person starts again).
 */
export class OAuthFlows {
  private readonly pending = new Map<string, PendingFlow>();
  /** States already used or refused, so a repeated callback is told apart from a forged one. */
  private readonly spent = new Map<string, number>();

  constructor(private readonly ctx: EngineContext) {}

  /** Starts a flow for a link and a platform; returns the authorization URL to send the browser to. */
  async start(linkToken: string, platform: Platform, redirectUri: string): Promise<string> {
    const now = this.ctx.clock.now();
    const resolved = resolveConnectionLink(this.ctx.db, linkToken, now);
    if ('problem' in resolved)
      throw new AppError('not_found', `connection link ${resolved.problem}`, { problem: resolved.problem });
    const { link } = resolved;
    return this.begin({
      linkId: link.id,
      workspaceId: link.workspace_id,
      managedUserId: link.managed_user_id,
      platform,
      startedBy: null,
      reauth: null,
      redirectUri,
    });
  }

  /**
   * Bluesky through AT Protocol OAuth, for a link: resolves the handle (at the integration's
   * server; `issuerUrl` of a Bluesky integration names the PLC directory when it is not
   * plc.directory), pushes the authorization request (PAR, PKCE, DPoP) and returns the URL of the
   * account's authorization page. The flow waits here, in memory, for the callback.
   */
  async startBluesky(linkToken: string, handle: string, redirectUri: string): Promise<string> {
    const resolved = resolveConnectionLink(this.ctx.db, linkToken, this.ctx.clock.now());
    if ('problem' in resolved)
      throw new AppError('not_found', `connection link ${resolved.problem}`, { problem: resolved.problem });
    const { link } = resolved;
    return this.beginBluesky(
      {
        linkId: link.id,
        workspaceId: link.workspace_id,
        managedUserId: link.managed_user_id,
        platform: 'bluesky',
        startedBy: null,
        reauth: null,
        redirectUri,
      },
      handle,
    );
  }

  /** The Bluesky side of `begin`: the account (a handle, or the DID of a connection being renewed) names its server. */
  private async beginBluesky(
    flow: Omit<PendingFlow, 'codeVerifier' | 'expiresAt'>,
    handleOrDid: string,
  ): Promise<string> {
    const now = this.ctx.clock.now();
    const integration = integrationFor(this.ctx.db, flow.workspaceId, 'bluesky');
    if (!integration) throw new AppError('invalid_platform', 'Bluesky is not set up for this workspace');
    const { BlueskyOAuthError, DEFAULT_BLUESKY_SERVICE, beginBlueskyAuthorization } =
      await import('../platforms/bluesky/atproto-oauth');
    let started: Awaited<ReturnType<typeof beginBlueskyAuthorization>>;
    try {
      // Handles are resolved at the integration's server, DIDs at its PLC directory (`issuerUrl`).
      started = await beginBlueskyAuthorization({
        handleOrDid,
        redirectUri: flow.redirectUri,
        servers: {
          handleResolver: integration.instance_url ?? DEFAULT_BLUESKY_SERVICE,
          ...(integration.issuer_url ? { plcDirectoryUrl: integration.issuer_url } : {}),
        },
      });
    } catch (err) {
      if (err instanceof BlueskyOAuthError && err.kind !== 'unreachable') {
        throw new AppError('validation_failed', `This Bluesky account cannot sign in here: ${err.message}`, {
          fields: { handle: err.message },
        });
      }
      throw err;
    }
    this.prune(now.getTime());
    this.makeRoom(flow);
    this.pending.set(sha256(started.pending.state).toString('hex'), {
      ...flow,
      codeVerifier: started.pending.savedState.verifier,
      expiresAt: now.getTime() + OAUTH_FLOW_TTL_MS,
      bluesky: started.pending,
    });
    return started.authorizationUrl;
  }

  /**
   * A member re-authenticates an existing connection from the app (seed 003). Who may, and whose
   * tokens it renews, was decided by `reauthenticationFor`; the account must stay the same one.
   */
  async startReauthentication(flow: Omit<PendingFlow, 'codeVerifier' | 'expiresAt' | 'linkId'>): Promise<string> {
    // Bluesky renews through AT Protocol OAuth, starting from the connection's DID.
    if (flow.platform === 'bluesky' && flow.reauth)
      return this.beginBluesky({ ...flow, linkId: null }, flow.reauth.accountId);
    return this.begin({ ...flow, linkId: null });
  }

  private async begin(flow: Omit<PendingFlow, 'codeVerifier' | 'expiresAt'>): Promise<string> {
    const now = this.ctx.clock.now();
    const spec = oauthPlatform(flow.platform);
    const integration = integrationFor(this.ctx.db, flow.workspaceId, flow.platform);
    const client = spec && integration ? await appCredentialsFor(this.ctx, integration, flow.redirectUri) : null;
    if (!spec || !integration || !client)
      throw new AppError('invalid_platform', `${flow.platform} is not set up for this workspace`);
    const as = await spec.server(integration);
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState(); // 256 bits
    this.prune(now.getTime());
    this.makeRoom(flow);
    this.pending.set(sha256(state).toString('hex'), {
      ...flow,
      codeVerifier,
      expiresAt: now.getTime() + OAUTH_FLOW_TTL_MS,
      client,
    });
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('redirect_uri', flow.redirectUri);
    url.searchParams.set('scope', spec.scope(integration));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  }

  /**
   * Handles `/oauth/callback`: single-use state, the flow's time limit, `iss` where the server
   * sends it, the code exchange with the PKCE verifier, then tokens into the keychain and the
   * connection recorded as `<platform>-<accountId>`.
   */
  async complete(
    callbackUrl: URL,
  ): Promise<{ connectionId: string; platformId: string; displayName: string; platform: Platform }> {
    const now = this.ctx.clock.now();
    const state = callbackUrl.searchParams.get('state') ?? '';
    const key = sha256(state).toString('hex');
    const flow = this.pending.get(key);
    if (!flow) {
      if (this.spent.has(key))
        throw new CallbackError(
          'repeated',
          'This sign-in was already completed or refused. Start again from the connection link.',
        );
      throw new CallbackError('forged', 'This sign-in response does not belong to any sign-in started here.');
    }
    this.pending.delete(key);
    this.spent.set(key, now.getTime() + OAUTH_FLOW_TTL_MS);
    if (flow.expiresAt <= now.getTime())
      throw new CallbackError('expired', 'This sign-in took too long. Start again from the connection link.');
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      throw new CallbackError(
        error === 'access_denied' ? 'denied' : 'provider_error',
        error === 'access_denied'
          ? 'You declined the access. Nothing was connected.'
          : `The platform refused the sign-in (${error.slice(0, 100)}).`,
      );
    }
    if (flow.linkId !== null) {
      const link = this.ctx.db
        .prepare<[string], ClientLinkRow>(`SELECT * FROM connection_links WHERE id = ?`)
        .get(flow.linkId);
      if (!link || clientLinkStatus(link, now) !== 'active')
        throw new CallbackError('expired', 'The connection link expired or was revoked while you were signing in.');
    }
    const owner = findClientRow(this.ctx.db, flow.workspaceId, flow.managedUserId);
    if (!owner || owner.deactivated_at)
      throw new CallbackError(
        'expired',
        'This account was paused or removed at your agency while you were signing in.',
      );
    if (flow.bluesky) return this.completeBluesky(flow, flow.bluesky, callbackUrl);

    const spec = oauthPlatform(flow.platform)!;
    const integration = integrationFor(this.ctx.db, flow.workspaceId, flow.platform);
    if (!integration || !flow.client)
      throw new CallbackError('provider_error', `${flow.platform} is no longer set up for this workspace.`);
    const secret = flow.client.secretAccount ? await this.ctx.secrets.get(flow.client.secretAccount) : null;
    if (spec.meta) return this.completeMeta(flow, spec.meta, integration, secret, callbackUrl);
    const as = await spec.server(integration);
    const client: oauth.Client = { client_id: flow.client.clientId };
    const clientAuth = secret ? oauth.ClientSecretPost(secret) : oauth.None();
    let params: URLSearchParams;
    try {
      // Checks `state` again and, where the server advertises RFC 9207, that `iss` is the issuer.
      params = oauth.validateAuthResponse(as, client, callbackUrl, state);
    } catch (err) {
      throw new CallbackError(
        'forged',
        `The sign-in response failed its checks (${err instanceof Error ? err.message.slice(0, 120) : 'invalid'}).`,
      );
    }
    const tokenUrl = new URL(as.token_endpoint!);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      flow.redirectUri,
      flow.codeVerifier,
      httpOptions(tokenUrl),
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response).catch((err: unknown) => {
      throw new CallbackError(
        'provider_error',
        `The platform did not accept the sign-in (${err instanceof Error ? err.message.slice(0, 120) : 'error'}).`,
      );
    });
    const account = await spec.account(as, client, tokens, integration);
    if (flow.reauth) {
      if (account.accountId !== flow.reauth.accountId) {
        throw new CallbackError(
          'provider_error',
          `You signed in as ${account.handle}, a different account from the one being renewed. Nothing was changed.`,
        );
      }
      return saveReauthentication(this.ctx, flow, flow.reauth, account, toTokenSet(tokens, now));
    }
    return saveConnection(this.ctx, flow, account, toTokenSet(tokens, now));
  }

  /** A Meta callback (state already checked): the code exchanged for a long-lived token, the account, the keychain. */
  private async completeMeta(
    flow: PendingFlow,
    meta: NonNullable<OAuthPlatform['meta']>,
    integration: IntegrationRow,
    secret: string | null,
    callbackUrl: URL,
  ) {
    const { PlatformError } = await import('../platforms/types');
    const code = callbackUrl.searchParams.get('code');
    if (!code) throw new CallbackError('forged', 'The sign-in response carried no authorization code.');
    const client = {
      clientId: integration.client_id ?? '',
      clientSecret: secret,
      apiBaseUrl: integration.instance_url ?? meta.defaultApiBase,
    };
    let tokens: TokenSet;
    let account: { accountId: string; handle: string; displayName: string };
    try {
      tokens = await meta.signIn.exchange(client, code, flow.redirectUri, flow.codeVerifier);
      account = await meta.adapter.profile(client, tokens);
    } catch (err) {
      if (err instanceof PlatformError)
        throw new CallbackError(
          'provider_error',
          `The platform did not accept the sign-in (${err.message.slice(0, 200)}).`,
        );
      throw err;
    }
    if (flow.reauth) {
      if (account.accountId !== flow.reauth.accountId)
        throw new CallbackError(
          'provider_error',
          `You signed in as ${account.handle}, a different account from the one being renewed. Nothing was changed.`,
        );
      return saveReauthentication(this.ctx, flow, flow.reauth, account, tokens);
    }
    return saveConnection(this.ctx, flow, account, tokens);
  }

  /**
   * The Bluesky callback: state and iss checks, the DPoP-bound code exchange (the library),
   * the profile, the keychain.
   */
  private async completeBluesky(flow: PendingFlow, pending: PendingBlueskyAuthorization, callbackUrl: URL) {
    const { BlueskyOAuthError, completeBlueskyAuthorization } = await import('../platforms/bluesky/atproto-oauth');
    const { blueskyAdapter } = await import('../platforms/bluesky/adapter');
    const { PlatformError } = await import('../platforms/types');
    let tokens: TokenSet;
    try {
      tokens = await completeBlueskyAuthorization({ pending, callbackUrl });
    } catch (err) {
      if (!(err instanceof BlueskyOAuthError)) throw err;
      const message = err.message.slice(0, 200);
      if (err.kind === 'forged')
        throw new CallbackError('forged', `The sign-in response failed its checks (${message}).`);
      if (err.kind === 'account') throw new CallbackError('provider_error', `${message}. Nothing was connected.`);
      if (err.kind === 'unreachable')
        throw new CallbackError(
          'provider_error',
          'Bluesky could not be reached to finish the sign-in. Start again in a moment.',
        );
      throw new CallbackError('provider_error', `Bluesky did not accept the sign-in (${message}).`);
    }
    let account: Awaited<ReturnType<typeof blueskyAdapter.profile>>;
    try {
      account = await blueskyAdapter.profile(
        { clientId: pending.clientId, clientSecret: null, apiBaseUrl: pending.servers.handleResolver },
        tokens,
      );
    } catch (err) {
      if (err instanceof PlatformError)
        throw new CallbackError(
          'provider_error',
          `Bluesky did not let Postroom read the account (${err.message.slice(0, 200)}).`,
        );
      throw err;
    }
    if (account.accountId !== pending.did)
      throw new CallbackError(
        'provider_error',
        'Bluesky answered for another account than the one that signed in. Nothing was connected.',
      );
    if (flow.reauth) {
      if (account.accountId !== flow.reauth.accountId) {
        throw new CallbackError(
          'provider_error',
          `You signed in as ${account.handle}, a different account from the one being renewed. Nothing was changed.`,
        );
      }
      return saveReauthentication(this.ctx, flow, flow.reauth, account, tokens);
    }
    return saveConnection(this.ctx, flow, account, tokens);
  }

  private prune(nowMs: number): void {
    for (const [k, f] of this.pending) if (f.expiresAt + OAUTH_FLOW_TTL_MS <= nowMs) this.pending.delete(k);
    for (const [k, until] of this.spent) if (until <= nowMs) this.spent.delete(k);
  }

  /** Keeps a new flow's link (or member) under MAX_PENDING_FLOWS_PER_LINK, dropping its oldest flows. */
  private makeRoom(flow: Omit<PendingFlow, 'codeVerifier' | 'expiresAt'>): void {
    const sameOrigin = (f: PendingFlow) =>
      flow.linkId !== null ? f.linkId === flow.linkId : f.linkId === null && f.startedBy === flow.startedBy;
    const mine = [...this.pending].filter(([, f]) => sameOrigin(f));
    // A Map iterates in insertion order: the first are the oldest.
    for (const [k] of mine.slice(0, Math.max(0, mine.length - MAX_PENDING_FLOWS_PER_LINK + 1))) this.pending.delete(k);
  }

  /** How many sign-ins are waiting for their callback. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Which redirect policy a platform needs, for the server to pick the callback port. */
  static redirectPolicy(db: Db, workspaceId: string, platform: Platform): { fixedPort: number | null } {
    const spec = oauthPlatform(platform);
    const integration = integrationFor(db, workspaceId, platform);
    return { fixedPort: spec?.redirect === 'fixed' ? (integration?.redirect_port ?? null) : null };
  }
}

export class CallbackError extends Error {
  constructor(
    readonly kind: 'forged' | 'repeated' | 'expired' | 'denied' | 'provider_error',
    message: string,
  ) {
    super(message);
  }
}

async function saveReauthentication(
  ctx: EngineContext,
  flow: PendingFlow,
  reauth: NonNullable<PendingFlow['reauth']>,
  account: { handle: string; displayName: string },
  tokens: TokenSet,
): Promise<{ connectionId: string; platformId: string; displayName: string; platform: Platform }> {
  const now = ctx.clock.now().toISOString();
  const ownTokens = reauth.tokensOf !== 'connection';
  const account_ = ownTokens
    ? memberTokenAccount(ctx.installId, reauth.connectionId, (reauth.tokensOf as { memberId: string }).memberId)
    : tokenAccount(ctx.installId, reauth.connectionId);
  await ctx.secrets.set(account_, JSON.stringify(tokens));
  const row = ctx.db
    .prepare<[string], { platform_id: string }>(`SELECT platform_id FROM connections WHERE id = ?`)
    .get(reauth.connectionId)!;
  ctx.db.transaction(() => {
    if (ownTokens) {
      const memberId = (reauth.tokensOf as { memberId: string }).memberId;
      ctx.db
        .prepare(
          `INSERT INTO connection_access (member_id, connection_id, mode, has_own_tokens) VALUES (?, ?, 'member', 1)
           ON CONFLICT (member_id, connection_id) DO UPDATE SET has_own_tokens = 1`,
        )
        .run(memberId, reauth.connectionId);
    } else {
      ctx.db
        .prepare(
          `UPDATE connections SET status = 'active', updated_at = ?, token_expires_at = ?, handle = ?, display_name = ?
           WHERE id = ?`,
        )
        .run(now, tokens.expiresAt, account.handle, account.displayName, reauth.connectionId);
    }
    recordFlowActivity(ctx, flow, {
      action: 'connection.reauthenticated',
      objectKind: 'connection',
      objectId: reauth.connectionId,
      detail: `${row.platform_id} re-authenticated with ${ownTokens ? "the member's own" : "the owner's"} credentials`,
    });
  })();
  return {
    connectionId: reauth.connectionId,
    platformId: row.platform_id,
    displayName: account.displayName,
    platform: flow.platform,
  };
}

/**
 * Bluesky's fallback sign-in (SPEC §5): an app password, never the account password. Through a
 * connection link (the client) or from the app (a member who may manage the client's connections).
 */
export async function connectWithAppPassword(
  ctx: EngineContext,
  target: { workspaceId: string; managedUserId: string; startedBy: string | null },
  identifier: string,
  appPassword: string,
): Promise<{ connectionId: string; platformId: string; displayName: string; platform: Platform }> {
  const owner = findClientRow(ctx.db, target.workspaceId, target.managedUserId);
  if (!owner || owner.deactivated_at) throw new AppError('not_found', 'user not found');
  const integration = integrationFor(ctx.db, target.workspaceId, 'bluesky');
  if (!integration) throw new AppError('invalid_platform', 'Bluesky is not set up for this workspace');
  const { signInWithAppPassword } = await import('../platforms/bluesky/adapter');
  const { PlatformError } = await import('../platforms/types');
  try {
    const { tokens, account } = await signInWithAppPassword(
      integration.instance_url ?? 'https://bsky.social',
      identifier,
      appPassword,
    );
    return await saveConnection(ctx, { ...target, platform: 'bluesky' }, account, tokens);
  } catch (err) {
    if (err instanceof PlatformError)
      throw new AppError('validation_failed', err.message, { fields: { appPassword: err.message } });
    throw err;
  }
}

export function appPasswordTarget(ctx: EngineContext, p: Principal, userId: string) {
  authorize(p, 'connection.manage', { managedUserId: userId });
  return { workspaceId: p.workspaceId, managedUserId: userId, startedBy: p.kind === 'member' ? p.profileId : null };
}

/** What a connection's own server sets; null: the platform's rules. */
interface ServerLimits {
  maxTextLength: number | null;
  poll: PollRules | null;
}

const PLATFORM_DEFAULTS: ServerLimits = { maxTextLength: null, poll: null };

/**
 * The limits a connection's own server sets: a Mastodon instance may allow more than 500
 * characters, and other poll bounds. Best effort: an instance that does not say keeps the
 * platform's defaults.
 */
async function serverLimits(ctx: EngineContext, workspaceId: string, platform: Platform): Promise<ServerLimits> {
  if (platform !== 'mastodon') return PLATFORM_DEFAULTS;
  const base = integrationFor(ctx.db, workspaceId, 'mastodon')?.instance_url;
  if (!base) return PLATFORM_DEFAULTS;
  try {
    const { instanceLimits } = await import('../platforms/mastodon/adapter');
    const limits = await instanceLimits(base);
    return { maxTextLength: limits.maxTextLength, poll: limits.poll };
  } catch {
    return PLATFORM_DEFAULTS;
  }
}

/**
 * What a sign-in flow did, in its workspace: under the member who started it, or as Postroom's own
 * when the client came through a connection link.
 */
function recordFlowActivity(
  ctx: EngineContext,
  flow: Pick<PendingFlow, 'workspaceId' | 'startedBy'>,
  entry: Omit<ActivityInput, 'workspaceId' | 'actor'>,
): void {
  recordActivity(ctx.db, ctx.clock.now(), {
    workspaceId: flow.workspaceId,
    actor: flow.startedBy ? { kind: 'member', id: flow.startedBy } : systemActor,
    ...entry,
  });
}

async function saveConnection(
  ctx: EngineContext,
  flow: Pick<PendingFlow, 'workspaceId' | 'managedUserId' | 'platform' | 'startedBy'>,
  account: { accountId: string; handle: string; displayName: string },
  tokens: TokenSet,
): Promise<{ connectionId: string; platformId: string; displayName: string; platform: Platform }> {
  const { maxTextLength, poll } = await serverLimits(ctx, flow.workspaceId, flow.platform);
  const pollLimits = poll && JSON.stringify(poll);
  const now = ctx.clock.now().toISOString();
  const platformId = `${flow.platform}-${account.accountId}`;
  const existing = ctx.db
    .prepare<[string, string], { id: string }>(
      `SELECT id FROM connections WHERE managed_user_id = ? AND platform_id = ?`,
    )
    .get(flow.managedUserId, platformId);
  const connectionId = existing?.id ?? newId('conn');
  await ctx.secrets.set(tokenAccount(ctx.installId, connectionId), JSON.stringify(tokens));
  ctx.db.transaction(() => {
    if (existing) {
      ctx.db
        .prepare(
          `UPDATE connections SET handle = ?, display_name = ?, status = 'active', updated_at = ?, token_expires_at = ?,
             authorized_by = ?, max_text_length = ?, poll_limits = ?
           WHERE id = ?`,
        )
        .run(
          account.handle,
          account.displayName,
          now,
          tokens.expiresAt,
          flow.startedBy,
          maxTextLength,
          pollLimits,
          connectionId,
        );
    } else {
      ctx.db
        .prepare(
          `INSERT INTO connections
             (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle, display_name, status,
              connected_at, updated_at, token_expires_at, authorized_by, max_text_length, poll_limits)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          connectionId,
          flow.workspaceId,
          flow.managedUserId,
          flow.platform,
          account.accountId,
          platformId,
          account.handle,
          account.displayName,
          now,
          now,
          tokens.expiresAt,
          flow.startedBy,
          maxTextLength,
          pollLimits,
        );
    }
    recordFlowActivity(ctx, flow, {
      action: existing ? 'connection.reconnected' : 'connection.connected',
      objectKind: 'connection',
      objectId: connectionId,
      detail:
        `${flow.platform} account ${account.handle} connected ` +
        (flow.startedBy ? 'by a member' : 'by the client through a connection link'),
    });
  })();
  return { connectionId, platformId, displayName: account.displayName, platform: flow.platform };
}

// ---- connections ------------------------------------------------------------------------------

export interface Connection {
  id: string;
  platformId: string;
  platform: Platform;
  accountId: string;
  handle: string;
  displayName: string;
  status: 'active' | 'needs_reauth' | 'revoked';
  connectedAt: string;
  tokenExpiresAt: string | null;
  maxTextLength: number | null;
  pollLimits: PollRules | null;
}

export function listConnections(ctx: EngineContext, p: Principal, userId: string): Connection[] {
  authorize(p, 'connection.read', { managedUserId: userId });
  if (!findClientRow(ctx.db, p.workspaceId, userId)) throw new AppError('not_found', 'user not found', { userId });
  return ctx.db
    .prepare<
      [string, string],
      {
        id: string;
        platform_id: string;
        platform: Platform;
        account_id: string;
        handle: string;
        display_name: string;
        status: Connection['status'];
        connected_at: string;
        token_expires_at: string | null;
        max_text_length: number | null;
        poll_limits: string | null;
      }
    >(
      `SELECT * FROM connections WHERE managed_user_id = ? AND workspace_id = ? AND status != 'revoked'
       ORDER BY connected_at, rowid`,
    )
    .all(userId, p.workspaceId)
    .map((r) => ({
      id: r.id,
      platformId: r.platform_id,
      platform: r.platform,
      accountId: r.account_id,
      handle: r.handle,
      displayName: r.display_name,
      status: r.status,
      connectedAt: r.connected_at,
      tokenExpiresAt: r.token_expires_at,
      maxTextLength: r.max_text_length,
      pollLimits: r.poll_limits === null ? null : (JSON.parse(r.poll_limits) as PollRules),
    }));
}

/** Removes a connection: its tokens leave the keychain at once. */
export async function removeConnection(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  platformId: string,
): Promise<void> {
  authorize(p, 'connection.manage', { managedUserId: userId });
  const row = ctx.db
    .prepare<[string, string, string], { id: string }>(
      `SELECT id FROM connections
       WHERE managed_user_id = ? AND workspace_id = ? AND platform_id = ? AND status != 'revoked'`,
    )
    .get(userId, p.workspaceId, platformId);
  if (!row) throw new AppError('not_found', 'connection not found', { platformId });
  await ctx.secrets.delete(tokenAccount(ctx.installId, row.id));
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(`UPDATE connections SET status = 'revoked', updated_at = ? WHERE id = ?`)
      .run(now.toISOString(), row.id);
    recordActivityOf(ctx.db, now, p, {
      action: 'connection.removed',
      objectKind: 'connection',
      objectId: row.id,
      detail: `Removed ${platformId}`,
    });
  })();
}

/** What a connection page shows: the workspace (and its logo), the client, the platforms. */
export function connectionPageModel(db: Db, link: ClientLinkRow) {
  const workspace = getWorkspace(db, link.workspace_id);
  const client = findClientRow(db, link.workspace_id, link.managed_user_id)!;
  return {
    workspace,
    clientName: client.display_name,
    platforms: connectablePlatforms(db, link.workspace_id),
    expiresAt: link.expires_at,
  };
}
