import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  GraphError,
  LoginDialog,
  RateLimiter,
  graphApp,
  graphErrors,
  mediaFetcher,
  paramsOf,
  type MediaFetcher,
  tokenOf,
  type GraphParams,
  type LoginApp,
  type ThrottleKind,
  type Usage,
} from './meta-graph';

/*
 * What the local Meta servers run the same way, so each keeps only its own API:
 *  - every server (Facebook Pages, Instagram, Threads): the Graph app, the test's clock, latency,
 *    failures, throttles and usage, the request log and the media crawler (`startMetaServerCore`);
 *  - Instagram and Threads, both container-based (create a container, poll its status, publish;
 *    `startContainerServerCore`): the login dialog, the short-lived token of the code exchange
 *    traded for a self-renewing 60-day one
 *    (https://developers.facebook.com/docs/instagram-platform/reference/access_token,
 *    https://developers.facebook.com/docs/threads/get-started/long-lived-tokens), a container's
 *    status (the IG Container and Threads Media Container references) and the checks before
 *    `media_publish` / `threads_publish`.
 */

/** What a test does to any local Meta server besides calling its API. */
export interface MetaServerControls {
  setNow(now: () => number): void;
  /** The next call fails with this Graph error (default: code 2, unexpected, 500). */
  failNext(error?: GraphError): void;
  /** The next call is refused by this throttle (the server's Business Use Case by default), for `minutes`. */
  throttle(kind?: ThrottleKind, minutes?: number): void;
  setUsage(usage: Partial<Usage>): void;
  setLatency(ms: number): void;
  /** Every request as `METHOD /path` (version prefix removed). */
  requests(): string[];
  /** Media URLs the crawler fetched. */
  fetchedUrls(): string[];
  close(): Promise<void>;
}

export interface MetaServerCoreOptions {
  bodyLimit: number;
  /** The Business Use Case type of the usage headers (`pages`, `instagram`), or none (Threads). */
  useCase: 'pages' | 'instagram' | null;
  /** What `throttle()` refuses by default, and the object its usage header names (Instagram: the account). */
  throttle: { kind: ThrottleKind; objectId?: string };
  /** Refuse media URLs on loopback or private addresses, as Meta's crawler cannot reach them. Default false. */
  refusePrivateUrls?: boolean;
}

export interface MetaServerCore {
  readonly app: FastifyInstance;
  readonly limiter: RateLimiter;
  readonly fetcher: MediaFetcher;
  /** The server's time (the test's clock). */
  now(): number;
  /** Throws the failure the test set for the next call, if any. */
  failIfSet(): void;
  /** A Graph call on `objectId`: the test's failure, then rate-limit accounting; its parameters. */
  graphCall(request: FastifyRequest, reply: FastifyReply, objectId: string | null): ReturnType<typeof paramsOf>;
  readonly controls: MetaServerControls;
}

/** The Graph app and the test's controls of one local Meta server. */
export async function startMetaServerCore(options: MetaServerCoreOptions): Promise<MetaServerCore> {
  let now = () => Date.now();
  let latencyMs = 0;
  let refusePrivate = options.refusePrivateUrls ?? false;
  const failures: GraphError[] = [];
  const requests: string[] = [];
  const limiter = new RateLimiter(options.useCase);
  const fetcher = mediaFetcher({ refusePrivate: () => refusePrivate });
  const app = await graphApp({ bodyLimit: options.bodyLimit, requests, latencyMs: () => latencyMs });
  const failIfSet = () => {
    const failure = failures.shift();
    if (failure) throw failure;
  };
  return {
    app,
    limiter,
    fetcher,
    now: () => now(),
    failIfSet,
    graphCall: async (request, reply, objectId) => {
      failIfSet();
      reply.headers(limiter.count(objectId));
      return paramsOf(request);
    },
    controls: {
      setNow: (fn) => void (now = fn),
      failNext: (error) => void failures.push(error ?? graphErrors.unexpected()),
      throttle: (kind = options.throttle.kind, minutes = 5) =>
        limiter.throttle(kind, minutes, options.throttle.objectId),
      setUsage: (usage) => limiter.set(usage),
      setLatency: (ms) => void (latencyMs = ms),
      requests: () => [...requests],
      fetchedUrls: () => fetcher.fetched(),
      close: async () => {
        refusePrivate = false;
        await app.close();
      },
    },
  };
}

/** An access token of Instagram's or Threads' sign-in. */
export interface MetaToken {
  kind: 'short' | 'long';
  scopes: string[];
  expiresAt: number;
}

/** Meta's lifetimes: the code's token lasts an hour, a long-lived one 60 days (`expires_in` 5183944). */
const SHORT_LIVED_SECS = 3600;
export const LONG_LIVED_SECS = 5_183_944;

interface LongLivedTokenOptions {
  /** How the platform's tokens begin (`IGAA`, `THAA`). */
  prefix: string;
  /** `ig` or `th`: the grants are `<grant>_exchange_token` and `<grant>_refresh_token`. */
  grant: 'ig' | 'th';
  clientSecret: string;
  now(): number;
  /** The platform's answer to a wrong client secret on the exchange. */
  badSecret(): GraphError;
  /** The platform's answer to a token without the call's permission. */
  noPermission(): GraphError;
}

/**
 * Instagram's and Threads' tokens: a short-lived one from the code exchange, traded
 * (`GET /access_token`, grant `<grant>_exchange_token`) for a long-lived one, which renews itself
 * (`GET /refresh_access_token`, grant `<grant>_refresh_token`: the same token, 60 more days).
 */
function longLivedTokens(options: LongLivedTokenOptions) {
  const tokens = new Map<string, MetaToken>();
  const { now } = options;

  const issue = (kind: MetaToken['kind'], scopes: readonly string[]): string => {
    const token = `${options.prefix}${randomBytes(24).toString('base64url')}`;
    const lifetime = kind === 'short' ? SHORT_LIVED_SECS : LONG_LIVED_SECS;
    tokens.set(token, { kind, scopes: [...scopes], expiresAt: now() + lifetime * 1000 });
    return token;
  };

  /** The token of a Graph call, alive and with `scope` when one is named; or the Graph error. */
  const authenticate = (request: FastifyRequest, params: GraphParams, scope?: string): MetaToken => {
    const raw = tokenOf(request, params);
    if (!raw) throw graphErrors.noToken();
    const token = tokens.get(raw);
    if (!token) throw graphErrors.invalidToken();
    if (token.expiresAt <= now()) throw graphErrors.expiredToken(new Date(token.expiresAt), new Date(now()));
    if (scope && !token.scopes.includes(scope)) throw options.noPermission();
    return token;
  };

  /** The exchange and the renewal, on the server's app. */
  const route = (app: FastifyInstance) => {
    const exchange = `${options.grant}_exchange_token`;
    const renewal = `${options.grant}_refresh_token`;
    app.get('/access_token', async (request) => {
      const { params } = await paramsOf(request);
      if (params.grant_type !== exchange) throw graphErrors.param(`(#100) grant_type must be ${exchange}`);
      if (params.client_secret !== options.clientSecret) throw options.badSecret();
      const token = authenticate(request, params);
      if (token.kind !== 'short') throw graphErrors.param('(#100) The access token must be a short-lived token');
      return { access_token: issue('long', token.scopes), token_type: 'bearer', expires_in: LONG_LIVED_SECS };
    });
    app.get('/refresh_access_token', async (request) => {
      const { params } = await paramsOf(request);
      if (params.grant_type !== renewal) throw graphErrors.param(`(#100) grant_type must be ${renewal}`);
      const token = authenticate(request, params);
      if (token.kind !== 'long') throw graphErrors.param('(#100) Only long-lived tokens can be refreshed');
      token.expiresAt = now() + LONG_LIVED_SECS * 1000;
      return { access_token: tokenOf(request, params), token_type: 'bearer', expires_in: LONG_LIVED_SECS };
    });
  };

  return { issue, authenticate, route };
}

/** A container's `status_code` (Instagram) or `status` (Threads). */
export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

/** A media container as both servers keep it (each adds its own fields and what its processing gives). */
export interface MetaContainer {
  id: string;
  kind: string;
  isCarouselItem: boolean;
  /** A carousel's item containers. */
  children: string[];
  createdAt: number;
  /** Set when the container's media has been fetched and checked: null while in progress. */
  outcome: { ok: boolean } | null;
  /** Status reads that still answer IN_PROGRESS after the media is in. */
  pollsLeft: number;
  publishedId: string | null;
}

/** A container not published within 24 hours expires (both references). */
const CONTAINER_LIFETIME_MS = 24 * 60 * 60 * 1000;

interface ContainerStatusRule<C extends MetaContainer> {
  now(): number;
  container(id: string): C;
  /** A carousel expires when one of its items has (Instagram); Threads says nothing of it. */
  carouselExpiresWithItem: boolean;
}

/**
 * A container's status: PUBLISHED once published, EXPIRED after 24 hours, a carousel as its items
 * (ERROR if one failed), else IN_PROGRESS until its media is in and its processing reads are used
 * up (`read`: this is a status read, which uses one), then FINISHED, or ERROR.
 */
function containerStatus<C extends MetaContainer>(c: C, rule: ContainerStatusRule<C>, read = false): ContainerStatus {
  if (c.publishedId) return 'PUBLISHED';
  if (rule.now() - c.createdAt > CONTAINER_LIFETIME_MS) return 'EXPIRED';
  if (c.kind === 'CAROUSEL') {
    const states = c.children.map((id) => containerStatus(rule.container(id), rule, read));
    if (states.includes('ERROR')) return 'ERROR';
    if (rule.carouselExpiresWithItem && states.includes('EXPIRED')) return 'EXPIRED';
    return states.every((s) => s === 'FINISHED') ? 'FINISHED' : 'IN_PROGRESS';
  }
  if (!c.outcome) return 'IN_PROGRESS';
  if (!c.outcome.ok) return 'ERROR';
  if (c.pollsLeft > 0) {
    if (read) c.pollsLeft--;
    return 'IN_PROGRESS';
  }
  return 'FINISHED';
}

/** What a container failed with: its own failure, or the first of its items'. */
function containerFailure<C extends MetaContainer>(
  c: C,
  container: (id: string) => C,
): Extract<C['outcome'], { ok: false }> | undefined {
  if (c.outcome && !c.outcome.ok) return c.outcome as Extract<C['outcome'], { ok: false }>;
  for (const id of c.children) {
    const failed = containerFailure(container(id), container);
    if (failed) return failed;
  }
  return undefined;
}

/** The platform's wording of `creation_id` missing, or naming no container. */
interface PublishWording {
  required: string;
  unknown(id: string): GraphError;
}

/**
 * The container `creation_id` names, if it may be published: once only (not from the
 * documentation: what a second publish answers), and never a carousel item on its own.
 */
function containerToPublish<C extends MetaContainer>(
  params: GraphParams,
  containers: ReadonlyMap<string, C>,
  wording: PublishWording,
): C {
  const id = params.creation_id;
  if (!id) throw graphErrors.param(wording.required);
  const c = containers.get(id);
  if (!c) throw wording.unknown(id);
  if (c.publishedId) throw graphErrors.param('(#100) This media container has already been published');
  if (c.isCarouselItem) throw graphErrors.param('(#100) A carousel item cannot be published on its own');
  return c;
}

/** Published posts newest first, as Graph lists them (ids break ties: later ids are newer). */
export const newestFirst = <T extends { id: string; timestamp: number }>(items: Iterable<T>): T[] =>
  [...items].sort((a, b) => b.timestamp - a.timestamp || (BigInt(b.id) > BigInt(a.id) ? 1 : -1));

/** A post's shortcode (the part of its permalink after `/p/` or `/post/`). */
export const shortcodeOf = (id: string): string => Buffer.from(id).toString('base64url').slice(0, 11);

/** What a test does to the local Instagram or Threads besides what it does to every Meta server. */
export interface ContainerServerControls<C extends MetaContainer> extends MetaServerControls {
  /** A token as if the login had run: long-lived (60 days) unless said otherwise. */
  issueToken(options?: { longLived?: boolean; scopes?: readonly string[] }): string;
  containers(): C[];
  /** The next authorization is denied by the person (error=access_denied). */
  denyNextAuthorization(): void;
  /** The next publish publishes, then answers this error anyway. */
  publishButFailNext(error?: GraphError): void;
}

export interface ContainerServerOptions
  extends MetaServerCoreOptions, Omit<LoginApp, 'now'>, Omit<LongLivedTokenOptions, 'now'> {
  /** What `issueToken()` grants unless told otherwise. */
  defaultScopes: readonly string[];
  /** The object a call's usage is counted on (Instagram: the account), or none. */
  countedOn: string | null;
  carouselExpiresWithItem: boolean;
  publishWording: PublishWording;
}

/**
 * A container platform's server: every Meta server's core, its login dialog
 * (`GET /oauth/authorize`), its token exchange and renewal, and its containers, with their status
 * and publishing checks; the server adds its API's own routes and nodes.
 */
export async function startContainerServerCore<C extends MetaContainer>(options: ContainerServerOptions) {
  const core = await startMetaServerCore(options);
  const { app, now } = core;
  const login = new LoginDialog({ ...options, now });
  const tokens = longLivedTokens({ ...options, now });
  const containers = new Map<string, C>();
  const publishFailures: GraphError[] = [];
  const rule: ContainerStatusRule<C> = {
    now,
    container: (id) => containers.get(id) as C,
    carouselExpiresWithItem: options.carouselExpiresWithItem,
  };
  app.get('/oauth/authorize', async (request, reply) => login.answer(request, reply));
  tokens.route(app);

  const controls: ContainerServerControls<C> = {
    ...core.controls,
    issueToken: (o = {}) => tokens.issue(o.longLived === false ? 'short' : 'long', o.scopes ?? options.defaultScopes),
    containers: () => [...containers.values()].map((c) => ({ ...c, children: [...c.children] })),
    denyNextAuthorization: () => login.denyNextTime(),
    publishButFailNext: (error) => void publishFailures.push(error ?? graphErrors.unexpected()),
  };
  return {
    ...core,
    login,
    tokens,
    containers,
    /** A Graph call (counted, the test's failure) by a live token: its parameters and token. */
    async call(request: FastifyRequest, reply: FastifyReply, scope?: string) {
      const { params } = await core.graphCall(request, reply, options.countedOn);
      return { params, token: tokens.authenticate(request, params, scope) };
    },
    /** The container's status; `read`: a status read, which uses one of its processing reads. */
    status: (c: C, read = false) => containerStatus(c, rule, read),
    /** What a failed container (or the first of its failed items) failed with. */
    failure: (c: C) => containerFailure(c, rule.container),
    /** The container `creation_id` names, if it may be published. */
    toPublish: (params: GraphParams) => containerToPublish(params, containers, options.publishWording),
    /** After a publish that went through: the failure the test set for it, if any. */
    failAfterPublish() {
      const after = publishFailures.shift();
      if (after) throw after;
    },
    controls,
  };
}
