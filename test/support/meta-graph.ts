import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { imageSize } from 'image-size';
import { createFile, type Movie } from 'mp4box';

/*
 * What the local Meta servers (Instagram, Facebook Pages, Threads) share: the Graph API's way of
 * taking parameters, tokens, versions, fields and cursors, its error bodies, its rate-limit
 * headers and answers, and the crawler that fetches a post's media from the public URL it is
 * given. Each server follows these pages of Meta's documentation:
 *
 *  - Handling errors (body `{"error":{message,type,code,error_subcode,fbtrace_id}}`, codes 1, 2, 4,
 *    17, 100, 190 with subcodes 458-467, 200, 368, 506):
 *    https://developers.facebook.com/docs/graph-api/guides/error-handling
 *  - Rate limits (`X-App-Usage` with call_count/total_cputime/total_time in percent, Business Use
 *    Case limits in `X-Business-Use-Case-Usage` with `estimated_time_to_regain_access` in minutes;
 *    throttling codes 4, 17, 32, 613, 80001 for pages, 80002 for Instagram):
 *    https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
 *  - Paginated results (`data` plus `paging.cursors.before/after`, `paging.next`, `limit`,
 *    `after`, `before`, time-based `since`/`until`): https://developers.facebook.com/docs/graph-api/results
 *  - Field selection (`fields=a,b`), and parameters taken from the query string or the body
 *    (form, multipart or JSON) alike: https://developers.facebook.com/docs/graph-api/overview
 *
 * Meta gives throttling errors no HTTP status in its documentation; the SDKs have seen 403
 * (facebook-android-sdk issue #582: "HttpStatus: 403, errorCode: 4"), which these servers use for
 * every throttling code. Every other error is 400, as Meta's error tables give it, and 500 for
 * codes 1 and 2.
 */

/** A Graph API error, as Meta's error-handling page shows it. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: {
      subcode?: number;
      type?: string;
      transient?: boolean;
      userTitle?: string;
      userMessage?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  body(): { error: Record<string, unknown> } {
    return {
      error: {
        message: this.message,
        type: this.extra.type ?? 'OAuthException',
        code: this.code,
        ...(this.extra.subcode !== undefined ? { error_subcode: this.extra.subcode } : {}),
        ...(this.extra.transient !== undefined ? { is_transient: this.extra.transient } : {}),
        ...(this.extra.userTitle !== undefined ? { error_user_title: this.extra.userTitle } : {}),
        ...(this.extra.userMessage !== undefined ? { error_user_msg: this.extra.userMessage } : {}),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

/** Meta's support id for a call: 11 to 23 characters of base64. */
export function fbtraceId(): string {
  return randomBytes(12).toString('base64').replace(/[+/=]/g, '').slice(0, 23);
}

/** The throttles of the rate-limiting page: which code each answers with, and its message. */
export const THROTTLES = {
  app: { code: 4, message: '(#4) Application request limit reached' },
  user: { code: 17, message: '(#17) User request limit reached' },
  page: { code: 32, message: '(#32) Page request limit reached' },
  custom: { code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' },
  pagesBusinessUseCase: {
    code: 80001,
    message:
      'There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
  },
  instagramBusinessUseCase: {
    code: 80002,
    message:
      'There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
  },
} as const;
export type ThrottleKind = keyof typeof THROTTLES;

/** The errors every Graph server answers with, named. */
export const graphErrors = {
  noToken: () => new GraphError(400, 104, 'An access token is required to request this resource.'),
  /** A token this server never issued (or revoked), as Graph words it. */
  invalidToken: () =>
    new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', {
      headers: { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' },
    }),
  /** Subcode 463: the token's time is up. */
  expiredToken: (expiredAt: Date, now: Date) =>
    new GraphError(
      400,
      190,
      `Error validating access token: Session has expired on ${expiredAt.toUTCString()}. ` +
        `The current time is ${now.toUTCString()}.`,
      { subcode: 463 },
    ),
  /** Subcode 460: the member changed their password (or logged out everywhere). */
  sessionInvalidated: () =>
    new GraphError(
      400,
      190,
      'Error validating access token: The session has been invalidated because the user changed their password ' +
        'or Facebook has changed the session for security reasons.',
      { subcode: 460 },
    ),
  permission: (permission: string) =>
    new GraphError(403, 200, `(#200) Requires ${permission} permission to manage the object`),
  nonexistingField: (field: string, nodeType: string) =>
    new GraphError(400, 100, `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`),
  unsupported: (method: 'get' | 'post' | 'delete', id: string) =>
    new GraphError(
      400,
      100,
      `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      { subcode: 33, type: 'GraphMethodException' },
    ),
  param: (message: string, extra: GraphError['extra'] = {}) => new GraphError(400, 100, message, extra),
  throttled: (kind: ThrottleKind, headers: Record<string, string>) =>
    new GraphError(403, THROTTLES[kind].code, THROTTLES[kind].message, { transient: true, headers }),
  unknown: () => new GraphError(500, 1, 'An unknown error occurred', { transient: true }),
  unexpected: () =>
    new GraphError(500, 2, 'An unexpected error has occurred. Please retry your request later.', { transient: true }),
};

/** A multipart file part, as the Graph servers keep it. */
export interface UploadedFile {
  data: Buffer;
  mimeType: string;
  fileName: string;
}

/** A request's parameters: query string and body (form, JSON or multipart fields) together. */
export type GraphParams = Record<string, string>;

interface PartLike {
  type?: string;
  value?: unknown;
  mimetype?: string;
  filename?: string;
  toBuffer?: () => Promise<Buffer>;
}

/** Query and body parameters of a Graph call (the body wins), and its files. */
export async function paramsOf(
  request: FastifyRequest,
): Promise<{ params: GraphParams; files: Map<string, UploadedFile> }> {
  const params: GraphParams = {};
  const files = new Map<string, UploadedFile>();
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') params[k] = v;
  }
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [k, raw] of Object.entries(body as Record<string, unknown>)) {
      const part = (Array.isArray(raw) ? raw[0] : raw) as PartLike | string | number | boolean | null;
      if (part !== null && typeof part === 'object' && part.type === 'file' && part.toBuffer) {
        files.set(k, {
          data: await part.toBuffer(),
          mimeType: part.mimetype ?? 'application/octet-stream',
          fileName: part.filename ?? k,
        });
      } else if (part !== null && typeof part === 'object' && part.type === 'field') {
        params[k] = String(part.value);
      } else if (part !== null && typeof part === 'object') {
        // JSON bodies carry arrays and objects (attached_media, children): Graph takes them as JSON text.
        params[k] = JSON.stringify(raw);
      } else if (part !== null && part !== undefined) {
        params[k] = String(part);
      }
    }
  }
  return { params, files };
}

/** The access token of a call: the `access_token` parameter, or `Authorization: Bearer|OAuth <token>`. */
export function tokenOf(request: FastifyRequest, params: GraphParams): string | null {
  if (params.access_token) return params.access_token;
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** `fields=a,b,c(x)` as a list of names (arguments and nested fields dropped), or the defaults. */
export function requestedFields(params: GraphParams, defaults: readonly string[]): string[] {
  const raw = params.fields;
  if (!raw) return [...defaults];
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of raw) {
    if (c === '(' || c === '{') depth++;
    if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += c;
  }
  names.push(current);
  return names.map((n) => n.trim().replace(/[.({].*$/s, '')).filter(Boolean);
}

/**
 * The node with only the requested fields (and `id`, which Graph always gives); a field the
 * node type does not have is an error, as on Graph.
 */
export function selectFields(
  node: Record<string, unknown>,
  params: GraphParams,
  nodeType: string,
  defaults: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of requestedFields(params, defaults)) {
    if (!(field in node)) throw graphErrors.nonexistingField(field, nodeType);
    if (node[field] !== undefined) out[field] = node[field];
  }
  if (node.id !== undefined && out.id === undefined) out.id = node.id;
  return out;
}

/**
 * One page of a list, newest first as Graph lists posts, with cursor paging: `limit` (default 25,
 * at most 100), `after`/`before` cursors, and `since`/`until` (Unix seconds) on `timeOf`.
 */
export function pageOf<T extends { id: string }>(
  items: T[],
  params: GraphParams,
  render: (item: T) => Record<string, unknown>,
  timeOf: (item: T) => number,
  baseUrl: string,
): Record<string, unknown> {
  const limit = params.limit === undefined ? 25 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw graphErrors.param('(#100) The parameter limit must be a positive integer');
  const size = Math.min(limit, 100);
  const since = params.since === undefined ? -Infinity : Number(params.since) * 1000;
  const until = params.until === undefined ? Infinity : Number(params.until) * 1000;
  if (Number.isNaN(since) || Number.isNaN(until))
    throw graphErrors.param('(#100) The parameters since and until must be Unix timestamps');
  const matching = items.filter((item) => timeOf(item) >= since && timeOf(item) <= until);
  const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
  const decode = (c: string) => Number(Buffer.from(c, 'base64url').toString());
  let start = 0;
  if (params.after) start = decode(params.after) + 1;
  if (params.before) start = Math.max(0, decode(params.before) - size);
  if (!Number.isInteger(start) || start < 0) throw graphErrors.param('(#100) Invalid cursor');
  const slice = matching.slice(start, start + size);
  const paging: Record<string, unknown> = {};
  if (slice.length > 0) {
    paging.cursors = { before: cursor(start), after: cursor(start + slice.length - 1) };
    if (start + slice.length < matching.length) {
      const next = new URL(baseUrl);
      for (const [k, v] of Object.entries(params)) if (k !== 'before') next.searchParams.set(k, v);
      next.searchParams.set('after', cursor(start + slice.length - 1));
      paging.next = next.href;
    }
  }
  return slice.length > 0 ? { data: slice.map(render), paging } : { data: [] };
}

/** What Meta's crawler got from a public URL. */
export type FetchedMedia =
  | { ok: true; data: Buffer; contentType: string | null }
  | {
      ok: false;
      reason: 'bad_url' | 'unreachable' | 'http_status' | 'timeout' | 'too_large' | 'not_public';
      status?: number;
    };

/** Loopback and private addresses: what Meta's crawler on the internet can never reach. */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 0;
  }
  if (family === 6) return host === '::1' || /^f[cd]/i.test(host) || /^fe80/i.test(host);
  return false;
}

export interface MediaFetcher {
  fetch(url: string, maxBytes: number): Promise<FetchedMedia>;
  /** Every URL fetched so far, in order. */
  fetched(): string[];
}

/**
 * Meta fetches ("cURLs") each image_url and video_url at the time of the call, so the media must
 * be on a public server. These servers really GET the URL; with `refusePrivate` they refuse
 * loopback and private addresses as Meta, on the internet, cannot reach them.
 */
export function mediaFetcher(options: { refusePrivate: () => boolean; timeoutMs?: number }): MediaFetcher {
  const log: string[] = [];
  return {
    fetched: () => [...log],
    async fetch(url, maxBytes) {
      if (!URL.canParse(url)) return { ok: false, reason: 'bad_url' };
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'bad_url' };
      if (options.refusePrivate() && isPrivateHost(parsed.hostname)) return { ok: false, reason: 'not_public' };
      log.push(url);
      let response: Response;
      try {
        response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      } catch (err) {
        const name = err instanceof Error ? err.name : '';
        return { ok: false, reason: name === 'TimeoutError' ? 'timeout' : 'unreachable' };
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, reason: 'http_status', status: response.status };
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await response.body?.cancel();
        return { ok: false, reason: 'too_large' };
      }
      const data = Buffer.from(await response.arrayBuffer());
      if (data.length > maxBytes) return { ok: false, reason: 'too_large' };
      return { ok: true, data, contentType: response.headers.get('content-type') };
    },
  };
}

/** An image's type and size in pixels, read from its bytes (`image-size`), or null when it is not one. */
export function probeImage(data: Buffer): { type: string; width: number; height: number } | null {
  try {
    const size = imageSize(data);
    if (!size.type || !size.width || !size.height) return null;
    return { type: size.type, width: size.width, height: size.height };
  } catch {
    return null;
  }
}

/** An MP4 or QuickTime file's container, duration and picture size (`mp4box`), or null when it is not one. */
export function probeVideo(
  data: Buffer,
): { container: 'mp4' | 'mov'; durationSecs: number; width: number; height: number; codec: string } | null {
  let info: Movie | null = null;
  const file = createFile();
  file.onReady = (movie: Movie) => void (info = movie);
  file.onError = () => void (info = null);
  // mp4box reports a file that is not one on console.error; here that is an answer, not a fault.
  const error = console.error;
  console.error = () => undefined;
  try {
    const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer & {
      fileStart: number;
    };
    copy.fileStart = 0;
    file.appendBuffer(copy as Parameters<typeof file.appendBuffer>[0]);
    file.flush();
  } catch {
    return null;
  } finally {
    console.error = error;
  }
  const movie = info as Movie | null;
  const video = movie?.videoTracks[0];
  if (!movie || !video || !movie.timescale) return null;
  return {
    container: movie.brands.includes('qt  ') ? 'mov' : 'mp4',
    durationSecs: movie.duration / movie.timescale,
    width: video.video?.width ?? video.track_width,
    height: video.video?.height ?? video.track_height,
    codec: video.codec,
  };
}

/** Percentages of the app's hourly allowance used, as `X-App-Usage` gives them. */
export interface Usage {
  callCount: number;
  totalCputime: number;
  totalTime: number;
}

/**
 * Usage headers and throttling, shared by a server's routes: every answer says how much of the
 * app's allowance is used (`X-App-Usage`) and, for a Page or Instagram account, of its Business
 * Use Case allowance (`X-Business-Use-Case-Usage`); `throttle` makes the next calls fail as
 * Meta's throttles do.
 */
export class RateLimiter {
  private usage: Usage = { callCount: 0, totalCputime: 0, totalTime: 0 };
  private throttles: { kind: ThrottleKind; minutes: number; objectId: string | null }[] = [];

  constructor(private readonly bucType: 'pages' | 'instagram' | null) {}

  /** Sets the usage percentages the next answers report. */
  set(usage: Partial<Usage>): void {
    this.usage = { ...this.usage, ...usage };
  }

  /** The next call (one per call to this) is refused by this throttle; `minutes` until access comes back. */
  throttle(kind: ThrottleKind, minutes = 5, objectId: string | null = null): void {
    this.throttles.push({ kind, minutes, objectId });
  }

  headers(objectId: string | null, full = false, regainMinutes = 0): Record<string, string> {
    const pct = (n: number) => (full ? 100 : Math.min(100, Math.round(n)));
    const headers: Record<string, string> = {
      'x-app-usage': JSON.stringify({
        call_count: pct(this.usage.callCount),
        total_cputime: pct(this.usage.totalCputime),
        total_time: pct(this.usage.totalTime),
      }),
    };
    if (this.bucType && objectId) {
      headers['x-business-use-case-usage'] = JSON.stringify({
        [objectId]: [
          {
            type: this.bucType,
            call_count: pct(this.usage.callCount),
            total_cputime: pct(this.usage.totalCputime),
            total_time: pct(this.usage.totalTime),
            estimated_time_to_regain_access: regainMinutes,
          },
        ],
      });
    }
    return headers;
  }

  /** Counts a call; throws the throttle's error when one is set. */
  count(objectId: string | null): Record<string, string> {
    const throttle = this.throttles.shift();
    if (throttle) {
      throw graphErrors.throttled(throttle.kind, this.headers(throttle.objectId ?? objectId, true, throttle.minutes));
    }
    const headers = this.headers(objectId);
    this.usage.callCount += 0.5;
    return headers;
  }
}

export interface GraphAppOptions {
  bodyLimit?: number;
  /** Largest multipart file part. */
  fileSizeLimit?: number;
  /** Where every request is noted as `METHOD /path` (no query), for the tests to read. */
  requests: string[];
  /** How long every answer waits before it is sent (the test's latency setting, read each time). */
  latencyMs: () => number;
}

/**
 * A Fastify app that takes what Graph takes: form, JSON and multipart bodies, raw bytes for the
 * upload hosts, and an optional `/vNN.N` version prefix on every path. Every request is noted,
 * every answer waits the test's latency, and errors and unknown paths are answered as Graph does.
 */
export async function graphApp(options: GraphAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024,
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/v\d+\.\d+(?=\/|\?|$)/, '') || '/',
  });
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: options.fileSizeLimit ?? 64 * 1024 * 1024, files: 4 },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Raw bytes (the upload hosts), whatever type they are sent with, or none.
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );
  app.addHook('onRequest', async (request) => {
    options.requests.push(`${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onSend', async (_request, _reply, payload) => {
    const latencyMs = options.latencyMs();
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return payload;
  });
  app.setErrorHandler((err, _request, reply) => sendGraphError(reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendGraphError(reply, graphErrors.unsupported(request.method === 'POST' ? 'post' : 'get', request.url)),
  );
  return app;
}

/** Sends a GraphError (or any error, as Graph's unknown error) in Graph's shape. */
export function sendGraphError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof GraphError) {
    return reply
      .code(err.status)
      .headers(err.extra.headers ?? {})
      .send(err.body());
  }
  const status = (err as { statusCode?: number }).statusCode ?? 500;
  if (status === 413 || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
    return reply.code(400).send(graphErrors.param('(#100) The file is too large').body());
  if (status < 500)
    return reply
      .code(400)
      .send(graphErrors.param(`(#100) ${err instanceof Error ? err.message : 'Bad request'}`).body());
  return reply.code(500).send(graphErrors.unknown().body());
}

/** Graph's numeric ids, unique per server. */
export function idMaker(start: bigint): () => string {
  let next = start;
  return () => String(next++);
}

/** Graph's time format: `2017-08-31T18:10:00+0000`. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** The HTML page Meta's dialogs show for a request they refuse outright (no redirect back). */
export function dialogErrorPage(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .type('text/html')
    .send(`<!doctype html><title>Error</title><p>${message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`);
}

/** `true`, `1`: how Graph reads a boolean parameter. */
export function flag(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

/** A code the authorization dialog gave, until the app exchanges it (once, within the hour). */
export interface LoginCode {
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

/** The app a LoginDialog serves. */
export interface LoginApp {
  clientId: string;
  /** The app's registered redirect addresses; any http(s) address when not given. */
  redirectUris?: readonly string[];
  /** The scopes the platform knows; any other is refused. */
  knownScopes: readonly string[];
  /** The scope every request must ask for; without one, at least one scope must be asked for. */
  requiredScope?: string;
  now(): number;
}

/**
 * `GET /oauth/authorize` of Instagram's Business Login and of Threads (the same dialog, the same
 * redirect): errors it cannot redirect are an HTML page; a denial or a one-hour code goes back to
 * the redirect address with the state and Meta's `#_` fragment. It keeps the codes it gave.
 */
export class LoginDialog {
  readonly codes = new Map<string, LoginCode>();
  private denyNext = false;

  constructor(private readonly app: LoginApp) {}

  /** The person denies the app the next time the dialog opens (once). */
  denyNextTime(): void {
    this.denyNext = true;
  }

  answer(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const { app } = this;
    const q = request.query as Record<string, string | undefined>;
    if (q.client_id !== app.clientId) return dialogErrorPage(reply, 'Invalid platform app');
    const redirectUri = q.redirect_uri ?? '';
    const registered = app.redirectUris ? app.redirectUris.includes(redirectUri) : /^https?:\/\//.test(redirectUri);
    if (!URL.canParse(redirectUri) || !registered) return dialogErrorPage(reply, 'Invalid redirect_uri');
    const scopes = (q.scope ?? '').split(/[,\s]+/).filter(Boolean);
    const unknown = scopes.filter((s) => !app.knownScopes.includes(s));
    const missing = app.requiredScope ? !scopes.includes(app.requiredScope) : scopes.length === 0;
    if (missing || unknown.length > 0) {
      const required = app.requiredScope ? `${app.requiredScope} is required` : '';
      return dialogErrorPage(reply, `Invalid Scopes: ${unknown.join(', ') || required}`);
    }
    if (q.response_type !== 'code') return dialogErrorPage(reply, 'Invalid response_type');
    const back = new URL(redirectUri);
    if (this.denyNext) {
      this.denyNext = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_reason', 'user_denied');
      back.searchParams.set('error_description', 'The user denied your request.');
    } else {
      const code = `AQ${randomBytes(48).toString('base64url')}`;
      this.codes.set(code, { redirectUri, scopes, expiresAt: app.now() + 3600_000, used: false });
      back.searchParams.set('code', code);
    }
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    back.hash = '_';
    return reply.redirect(back.href, 302);
  }
}
