import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyRequest } from 'fastify';
import { probeVideo } from './meta-graph';

/*
 * A local Mastodon: the parts of its REST API and OAuth endpoints Postroom uses, with the same
 * paths, JSON shapes, status codes and error bodies (`{"error": "..."}`) as Mastodon 4.x, so both
 * Postroom's adapter and the official `masto` client can talk to it. In-memory, one user.
 *
 * Media follow https://docs.joinmastodon.org/methods/media/ and Mastodon's own controllers
 * (app/controllers/api/v2/media_controller.rb, api/v1/media_controller.rb): POST /api/v2/media
 * answers 202 with `url: null` while the file is processed in the background (always for video,
 * audio and GIFs, whose processing Mastodon delays; here also for images over
 * `asyncMediaOverBytes`), GET /api/v1/media/:id answers 206 while processing, 200 when done and
 * 422 `Error processing thumbnail for uploaded media` when processing failed; only media not yet
 * attached to a status can be read or updated (PUT /api/v1/media/:id). Videos are limited to
 * 99 MB (`video_size_limit`), and a status takes one video, or up to four images, not both.
 */

export interface MastodonServerOptions {
  username?: string;
  /** Mastodon sends '' when the user set none. */
  displayName?: string;
  maxCharacters?: number;
  /** The instance's `configuration.polls`, as an admin may set them (glitch-soc and forks do). Default Mastodon's. */
  polls?: { max_options: number; max_characters_per_option: number; min_expiration: number; max_expiration: number };
  /** Uploads larger than this answer 202 and are processed "in the background". Default 1 MB. */
  asyncMediaOverBytes?: number;
  /** How many GET /api/v1/media/:id answer 206 (still processing) before the media is ready. Default 0. */
  mediaProcessingPolls?: number;
  /** How many GET /api/v1/media/:id a video answers 206 before it is ready. Default 1. */
  videoProcessingPolls?: number;
  /** Lifetime of issued access tokens in seconds; null (the default) means they never expire. */
  tokenExpiresIn?: number | null;
  /** Whether a refresh answers with a new refresh token (it rotates) or with none. Default true. */
  refreshReturnsRefreshToken?: boolean;
}

export interface MastodonStats {
  requests: number;
  statusesCreated: number;
  statusesDeleted: number;
  mediaUploaded: number;
  tokensIssued: number;
}

interface Failure {
  status: number;
  headers: Record<string, string>;
  error: string | undefined;
}

interface App {
  id: string;
  name: string;
  website: string | null;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
}

interface Grant {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string | null;
  expiresAt: number;
  used: boolean;
}

interface Token {
  accessToken: string;
  refreshToken: string | null;
  clientId: string | null;
  scopes: string[];
  /** Null for an app-only (client_credentials) token. */
  userId: string | null;
  expiresAt: number | null;
  revoked: boolean;
}

interface Media {
  id: string;
  type: 'image' | 'gifv' | 'video' | 'audio' | 'unknown';
  mimeType: string;
  data: Buffer;
  description: string | null;
  pollsLeft: number;
  /** Processing failed (a video Mastodon's ffmpeg cannot read, or a failure set by a test). */
  failed: boolean;
  statusId: string | null;
  video: { width: number; height: number; durationSecs: number } | null;
}

interface StoredStatus {
  id: string;
  text: string;
  createdAt: string;
  visibility: string;
  sensitive: boolean;
  spoilerText: string;
  language: string | null;
  mediaIds: string[];
  clientId: string | null;
  deleted: boolean;
  /** `in_reply_to_id`: the status it answers (a thread is a chain of these), or null. */
  inReplyToId: string | null;
  /** `poll[options]` and `poll[expires_in]` (seconds), or null. */
  poll: { options: string[]; expiresIn: number } | null;
}

export interface MastodonServer {
  /** Base URL of the instance, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly stats: MastodonStats;
  /** The one local user. */
  readonly account: { id: string; username: string };
  /** A user token as if the OAuth flow had run (no app needed). */
  issueToken(scopes?: string): { accessToken: string; refreshToken: string };
  /** Every status created (not deleted ones too), for tests that count what arrived. */
  statusTexts(): {
    id: string;
    text: string;
    deleted: boolean;
    inReplyToId: string | null;
    poll: { options: string[]; expiresIn: number } | null;
  }[];
  /** Every app registered with POST /api/v1/apps, oldest first. */
  registeredApps(): {
    name: string;
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
    scopes: string[];
  }[];
  /** Every request waits this long before it is answered (widens the window a kill can hit). */
  setLatency(ms: number): void;
  /** The next request (whatever it is) is answered with this status, headers and `{"error": ...}`. */
  failNext(status: number, headers?: Record<string, string>, error?: string): void;
  /** The next uploaded media fails processing, as a file ffmpeg or ImageMagick cannot handle does. */
  failNextMediaProcessing(): void;
  /** An uploaded media file (its bytes and type), or undefined. */
  media(id: string): { type: string; mimeType: string; data: Buffer; description: string | null } | undefined;
  /** Stops listening and drops open connections; `up()` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

class MastodonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = { error: message },
  ) {
    super(message);
  }
}

const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI ' +
    'used in the authorization request, or was issued to another client.',
};
const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description:
    'Client authentication failed due to unknown client, no client authentication included, ' +
    'or unsupported authentication method.',
};
const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/heic', 'image/heif', 'image/webp', 'image/avif'];
const IMAGE_SIZE_LIMIT = 16 * 1024 * 1024;
const VIDEO_SIZE_LIMIT = 103_809_024;
const DEFAULT_ERRORS: Record<number, string> = {
  401: 'The access token is invalid',
  403: 'This action is not allowed',
  404: 'Record not found',
  422: "Validation failed: Text can't be blank",
  429: 'Too many requests',
  500: "We're sorry, but something went wrong on our end.",
  503: 'Service Unavailable',
};

const base64url = (buf: Buffer) => buf.toString('base64url');
const secret = () => base64url(randomBytes(32));

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Mastodon's StatusLengthValidator: URLs count 23, remote mentions count only the user part, graphemes. */
function countableLength(text: string): number {
  const countable = text.replace(/https?:\/\/\S+/g, 'x'.repeat(23)).replace(/(@[a-z0-9_]+)@[a-z0-9.-]+/gi, '$1');
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(countable)].length;
}

/** A field of a JSON, urlencoded or multipart body; `name[]` arrays included. */
function field(body: unknown, name: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  const rec = body as Record<string, unknown>;
  const value = rec[name] ?? rec[`${name}[]`];
  // Multipart fields arrive as `{ type: 'field', value }` parts.
  const unwrap = (v: unknown): unknown => {
    const part = v as { type?: unknown; value?: unknown } | null;
    return part !== null && typeof part === 'object' && part.type === 'field' ? part.value : v;
  };
  return Array.isArray(value) ? value.map(unwrap) : unwrap(value);
}

function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}

function listField(body: unknown, name: string): string[] {
  const value = field(body, name);
  if (Array.isArray(value)) return value.map(String);
  return value === undefined || value === null || value === '' ? [] : [String(value)];
}

function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    if (key.endsWith('[]')) out[key] = [...(Array.isArray(existing) ? existing : []), value];
    else out[key] = value;
  }
  return out;
}

function scopeList(scopes: string | undefined, fallback: string[]): string[] {
  const list = (scopes ?? '').split(/[\s+]+/).filter(Boolean);
  return list.length > 0 ? list : fallback;
}

/** `write` covers `write:statuses`; `profile` is enough for verify_credentials. */
function hasScope(granted: string[], needed: string): boolean {
  const [top] = needed.split(':');
  return (
    granted.includes(needed) ||
    (top !== undefined && granted.includes(top)) ||
    (needed === 'read:accounts' && granted.includes('profile'))
  );
}

export async function startMastodonServer(options: MastodonServerOptions = {}): Promise<MastodonServer> {
  const username = options.username ?? 'agency';
  const displayName = options.displayName ?? 'Agency Bot';
  const maxCharacters = options.maxCharacters ?? 500;
  const polls = options.polls ?? {
    max_options: 4,
    max_characters_per_option: 50,
    min_expiration: 300,
    max_expiration: 2_629_746,
  };
  const asyncOver = options.asyncMediaOverBytes ?? 1024 * 1024;
  const processingPolls = options.mediaProcessingPolls ?? 0;
  const videoPolls = options.videoProcessingPolls ?? 1;
  let failNextProcessing = false;
  const tokenExpiresIn = options.tokenExpiresIn ?? null;
  const refreshReturnsRefreshToken = options.refreshReturnsRefreshToken ?? true;

  const stats: MastodonStats = {
    requests: 0,
    statusesCreated: 0,
    statusesDeleted: 0,
    mediaUploaded: 0,
    tokensIssued: 0,
  };
  const failures: Failure[] = [];
  const apps = new Map<string, App>();
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, Token>();
  const refreshTokens = new Map<string, Token>();
  const media = new Map<string, Media>();
  const statuses = new Map<string, StoredStatus>();
  let latencyMs = 0;
  const idempotency = new Map<string, string>();
  const accountCreatedAt = new Date(Date.UTC(2024, 0, 1)).toISOString();
  let counter = 0;
  /** Mastodon ids are 18-digit snowflakes, sent as strings. */
  const snowflake = () => `1130000${String(++counter).padStart(11, '0')}`;
  const userId = '109000000000000001';

  let port = 0;
  let baseUrl = '';
  let server: http.Server | null = null;

  const newToken = (clientId: string | null, scopes: string[], user: string | null, withRefresh: boolean): Token => {
    const token: Token = {
      accessToken: secret(),
      refreshToken: withRefresh ? secret() : null,
      clientId,
      scopes,
      userId: user,
      expiresAt: tokenExpiresIn === null ? null : Date.now() + tokenExpiresIn * 1000,
      revoked: false,
    };
    tokens.set(token.accessToken, token);
    if (token.refreshToken) refreshTokens.set(token.refreshToken, token);
    stats.tokensIssued++;
    return token;
  };

  const tokenJson = (t: Token) => ({
    access_token: t.accessToken,
    token_type: 'Bearer',
    scope: t.scopes.join(' '),
    created_at: Math.floor(Date.now() / 1000),
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
    ...(t.expiresAt !== null ? { expires_in: Math.round((t.expiresAt - Date.now()) / 1000) } : {}),
  });

  const accountJson = (withSource: boolean) => ({
    id: userId,
    username,
    acct: username,
    display_name: displayName,
    locked: false,
    bot: false,
    discoverable: true,
    indexable: false,
    group: false,
    created_at: accountCreatedAt,
    note: '<p>Posts scheduled with Postroom.</p>',
    url: `${baseUrl}/@${username}`,
    uri: `${baseUrl}/users/${username}`,
    avatar: `${baseUrl}/avatars/original/missing.png`,
    avatar_static: `${baseUrl}/avatars/original/missing.png`,
    header: `${baseUrl}/headers/original/missing.png`,
    header_static: `${baseUrl}/headers/original/missing.png`,
    followers_count: 0,
    following_count: 0,
    statuses_count: [...statuses.values()].filter((s) => !s.deleted).length,
    last_status_at: null,
    hide_collections: null,
    noindex: false,
    emojis: [],
    roles: [],
    fields: [],
    ...(withSource
      ? {
          source: {
            privacy: 'public',
            sensitive: false,
            language: null,
            note: 'Posts scheduled with Postroom.',
            fields: [],
            follow_requests_count: 0,
          },
          role: { id: '-99', name: '', permissions: '0', color: '', highlighted: false },
        }
      : {}),
  });

  const mediaJson = (m: Media) => {
    const ready = m.pollsLeft <= 0 && !m.failed;
    const url = `${baseUrl}/system/media_attachments/files/${m.id}/original/file`;
    const original = m.video
      ? {
          width: m.video.width,
          height: m.video.height,
          frame_rate: '30/1',
          duration: m.video.durationSecs,
          bitrate: Math.round((m.data.length * 8) / Math.max(m.video.durationSecs, 0.001)),
        }
      : { size: `${m.data.length} bytes` };
    return {
      id: m.id,
      type: m.type,
      url: ready ? url : null,
      preview_url: `${baseUrl}/system/media_attachments/files/${m.id}/small/file`,
      remote_url: null,
      preview_remote_url: null,
      text_url: null,
      meta:
        ready && m.video
          ? { original, length: new Date(m.video.durationSecs * 1000).toISOString().slice(11, 21) }
          : { original },
      description: m.description,
      blurhash: 'UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}',
    };
  };

  const statusJson = (s: StoredStatus, withSource = false) => {
    const app = s.clientId ? apps.get(s.clientId) : undefined;
    const content = s.text
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br />')}</p>`)
      .join('');
    return {
      id: s.id,
      created_at: s.createdAt,
      in_reply_to_id: s.inReplyToId,
      in_reply_to_account_id: s.inReplyToId ? userId : null,
      sensitive: s.sensitive,
      spoiler_text: s.spoilerText,
      visibility: s.visibility,
      language: s.language,
      uri: `${baseUrl}/users/${username}/statuses/${s.id}`,
      url: `${baseUrl}/@${username}/${s.id}`,
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      favourited: false,
      reblogged: false,
      muted: false,
      bookmarked: false,
      pinned: false,
      content: s.text ? content : '',
      filtered: [],
      reblog: null,
      application: app ? { name: app.name, website: app.website } : null,
      account: accountJson(false),
      media_attachments: s.mediaIds.map((id) => mediaJson(media.get(id) as Media)),
      mentions: [],
      tags: [],
      emojis: [],
      card: null,
      poll: s.poll
        ? {
            id: s.id,
            expires_at: new Date(Date.parse(s.createdAt) + s.poll.expiresIn * 1000).toISOString(),
            expired: false,
            multiple: false,
            votes_count: 0,
            voters_count: 0,
            options: s.poll.options.map((title) => ({ title, votes_count: 0 })),
            emojis: [],
          }
        : null,
      ...(withSource ? { text: s.text } : {}),
    };
  };

  const instanceJson = () => ({
    domain: `127.0.0.1:${port}`,
    title: 'Postroom test instance',
    version: '4.3.0',
    source_url: 'https://github.com/mastodon/mastodon',
    description: 'A local server speaking the Mastodon API, for tests.',
    usage: { users: { active_month: 1 } },
    thumbnail: { url: `${baseUrl}/packs/media/images/preview.png` },
    languages: ['en'],
    configuration: {
      urls: { streaming: baseUrl.replace(/^http/, 'ws'), status: null },
      vapid: { public_key: base64url(randomBytes(65)) },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: { max_characters: maxCharacters, max_media_attachments: 4, characters_reserved_per_url: 23 },
      media_attachments: {
        supported_mime_types: [...IMAGE_TYPES, 'video/webm', 'video/mp4', 'audio/mpeg'],
        image_size_limit: IMAGE_SIZE_LIMIT,
        image_matrix_limit: 33_177_600,
        video_size_limit: 103_809_024,
        video_frame_rate_limit: 120,
        video_matrix_limit: 8_294_400,
      },
      polls,
      translation: { enabled: false },
    },
    registrations: { enabled: false, approval_required: false, message: null },
    api_versions: { mastodon: 2 },
    contact: { email: 'admin@example.test', account: accountJson(false) },
    rules: [],
  });

  /** The user behind the request's Bearer token, with the scope the endpoint needs. */
  const authenticate = (req: FastifyRequest, scope: string, needsUser = true): Token => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new MastodonHttpError(401, 'The access token is invalid');
    const token = tokens.get(match[1]);
    if (!token || token.revoked) throw new MastodonHttpError(401, 'The access token is invalid');
    if (token.expiresAt !== null && token.expiresAt <= Date.now())
      throw new MastodonHttpError(401, 'The access token expired');
    if (!hasScope(token.scopes, scope))
      throw new MastodonHttpError(403, 'This action is outside the authorized scopes');
    if (needsUser && !token.userId) throw new MastodonHttpError(422, 'This method requires an authenticated user');
    return token;
  };

  /** OAuth client authentication: client_secret_post or client_secret_basic. */
  const clientOf = (req: FastifyRequest): App => {
    let clientId = stringField(req.body, 'client_id');
    let clientSecret = stringField(req.body, 'client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id, sec] = Buffer.from(basic[1], 'base64').toString().split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(sec ?? '');
    }
    const app = clientId ? apps.get(clientId) : undefined;
    if (!app || clientSecret !== app.clientSecret) throw new MastodonHttpError(401, 'invalid_client', INVALID_CLIENT);
    return app;
  };

  const app = Fastify({ logger: false });
  await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: VIDEO_SIZE_LIMIT + 1, files: 1 } });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : (JSON.parse(body as string) as unknown));
    } catch {
      done(new MastodonHttpError(400, 'Invalid JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });

  // Latency after the work is done: the status exists before the answer leaves, which is exactly
  // the window where a client that dies cannot know whether its call landed.
  app.addHook('onSend', async (_req, _reply, payload) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return payload;
  });

  app.addHook('onRequest', async (_req, reply) => {
    stats.requests++;
    reply.header('X-RateLimit-Limit', '300');
    reply.header('X-RateLimit-Remaining', '299');
    reply.header('X-RateLimit-Reset', new Date(Math.ceil(Date.now() / 300_000) * 300_000).toISOString());
    const failure = failures.shift();
    if (failure) {
      return reply
        .code(failure.status)
        .headers(failure.headers)
        .send({
          error: failure.error ?? DEFAULT_ERRORS[failure.status] ?? http.STATUS_CODES[failure.status] ?? 'Error',
        });
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof MastodonHttpError) return reply.code(err.status).send(err.body);
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      return reply.code(422).send({ error: 'Validation failed: File file size must be less than 99 MB' });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status)
      .send({ error: status >= 500 ? DEFAULT_ERRORS[500] : err instanceof Error ? err.message : 'Error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'Record not found' }));

  // --- Apps and OAuth (https://docs.joinmastodon.org/methods/apps/, /methods/oauth/) ---

  app.post('/api/v1/apps', async (req) => {
    const name = stringField(req.body, 'client_name');
    const raw = field(req.body, 'redirect_uris');
    const redirectUris = (Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[\s\n]+/)).filter(Boolean);
    if (!name) throw new MastodonHttpError(422, "Validation failed: Application name can't be blank");
    if (redirectUris.length === 0) throw new MastodonHttpError(422, "Validation failed: Redirect URI can't be blank");
    for (const uri of redirectUris) {
      if (uri !== OOB && !URL.canParse(uri))
        throw new MastodonHttpError(422, 'Validation failed: Redirect URI must be an absolute URI.');
    }
    const created: App = {
      id: String(apps.size + 1),
      name,
      website: stringField(req.body, 'website') ?? null,
      clientId: secret(),
      clientSecret: secret(),
      redirectUris,
      scopes: scopeList(stringField(req.body, 'scopes'), ['read']),
    };
    apps.set(created.clientId, created);
    return {
      id: created.id,
      name: created.name,
      website: created.website,
      scopes: created.scopes,
      redirect_uri: created.redirectUris.join('\n'),
      redirect_uris: created.redirectUris,
      vapid_key: base64url(randomBytes(65)),
      client_id: created.clientId,
      client_secret: created.clientSecret,
      client_secret_expires_at: 0,
    };
  });

  app.get('/api/v1/apps/verify_credentials', async (req) => {
    const token = authenticate(req, 'read', false);
    const owner = token.clientId ? apps.get(token.clientId) : undefined;
    if (!owner) throw new MastodonHttpError(401, 'The access token is invalid');
    return {
      id: owner.id,
      name: owner.name,
      website: owner.website,
      scopes: owner.scopes,
      redirect_uris: owner.redirectUris,
    };
  });

  app.get('/oauth/authorize', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const client = q.client_id ? apps.get(q.client_id) : undefined;
    if (!client)
      return reply.code(401).type('text/html').send('<p>Client authentication failed due to unknown client.</p>');
    const redirectUri = q.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return reply.code(400).type('text/html').send('<p>The redirect uri included is not valid.</p>');
    }
    const back = (params: Record<string, string>) => {
      if (redirectUri === OOB)
        return reply
          .type('text/html')
          .send(`<p>Copy this code: <code>${escapeHtml(params.code ?? params.error ?? '')}</code></p>`);
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (q.state !== undefined) target.searchParams.set('state', q.state);
      return reply.redirect(target.toString(), 302);
    };
    if (q.response_type !== 'code') return back({ error: 'unsupported_response_type' });
    const scopes = scopeList(q.scope, ['read']);
    if (!scopes.every((s) => client.scopes.some((granted) => hasScope([granted], s))))
      return back({ error: 'invalid_scope' });
    if (q.code_challenge && q.code_challenge_method !== 'S256') return back({ error: 'invalid_request' });
    const code = secret();
    grants.set(code, {
      clientId: client.clientId,
      redirectUri,
      scopes,
      challenge: q.code_challenge ?? null,
      expiresAt: Date.now() + 10 * 60_000,
      used: false,
    });
    return back({ code });
  });

  app.post('/oauth/token', async (req) => {
    const grantType = stringField(req.body, 'grant_type');
    if (grantType === 'authorization_code') {
      const client = clientOf(req);
      const code = stringField(req.body, 'code') ?? '';
      const grant = grants.get(code);
      if (!grant || grant.used || grant.expiresAt < Date.now() || grant.clientId !== client.clientId) {
        throw new MastodonHttpError(400, 'invalid_grant', INVALID_GRANT);
      }
      if (stringField(req.body, 'redirect_uri') !== grant.redirectUri)
        throw new MastodonHttpError(400, 'invalid_grant', INVALID_GRANT);
      if (grant.challenge !== null) {
        const verifier = stringField(req.body, 'code_verifier') ?? '';
        if (base64url(createHash('sha256').update(verifier).digest()) !== grant.challenge) {
          throw new MastodonHttpError(400, 'invalid_grant', INVALID_GRANT);
        }
      }
      grant.used = true;
      return tokenJson(newToken(client.clientId, grant.scopes, userId, true));
    }
    if (grantType === 'refresh_token') {
      const client = clientOf(req);
      const old = refreshTokens.get(stringField(req.body, 'refresh_token') ?? '');
      if (!old || old.revoked || old.clientId !== client.clientId)
        throw new MastodonHttpError(400, 'invalid_grant', INVALID_GRANT);
      old.revoked = true;
      if (refreshReturnsRefreshToken) {
        if (old.refreshToken) refreshTokens.delete(old.refreshToken);
        return tokenJson(newToken(client.clientId, old.scopes, old.userId, true));
      }
      // No new refresh token in the answer: the old one stays valid for the new access token.
      const fresh = newToken(client.clientId, old.scopes, old.userId, false);
      const json = tokenJson(fresh);
      fresh.refreshToken = old.refreshToken;
      if (old.refreshToken) refreshTokens.set(old.refreshToken, fresh);
      return json;
    }
    if (grantType === 'client_credentials') {
      const client = clientOf(req);
      return tokenJson(newToken(client.clientId, scopeList(stringField(req.body, 'scope'), ['read']), null, false));
    }
    throw new MastodonHttpError(400, 'unsupported_grant_type', {
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server.',
    });
  });

  app.post('/oauth/revoke', async (req) => {
    clientOf(req);
    const token =
      tokens.get(stringField(req.body, 'token') ?? '') ?? refreshTokens.get(stringField(req.body, 'token') ?? '');
    if (token) token.revoked = true;
    return {};
  });

  // --- Accounts, instance ---

  app.get('/api/v1/accounts/verify_credentials', async (req) => {
    authenticate(req, 'read:accounts');
    return accountJson(true);
  });

  app.get('/api/v2/instance', async () => instanceJson());

  // --- Media (https://docs.joinmastodon.org/methods/media/) ---

  app.post('/api/v2/media', async (req, reply) => {
    authenticate(req, 'write:media');
    const file = (req.body as Record<string, unknown> | undefined)?.file as
      { type?: string; mimetype?: string; toBuffer?: () => Promise<Buffer> } | undefined;
    if (!file || file.type !== 'file' || !file.toBuffer)
      throw new MastodonHttpError(422, "Validation failed: File can't be blank");
    const mimeType = file.mimetype ?? 'application/octet-stream';
    const data = await file.toBuffer();
    if (!IMAGE_TYPES.includes(mimeType) && !/^(video|audio)\//.test(mimeType)) {
      throw new MastodonHttpError(422, 'Validation failed: File content type is invalid, File is invalid');
    }
    if (/^(video|audio)\//.test(mimeType) && data.length > VIDEO_SIZE_LIMIT)
      throw new MastodonHttpError(422, 'Validation failed: File file size must be less than 99 MB');
    if (mimeType.startsWith('image/') && data.length > IMAGE_SIZE_LIMIT)
      throw new MastodonHttpError(422, 'Validation failed: File file size must be less than 16 MB');
    const description = stringField(req.body, 'description') ?? null;
    if (description !== null && [...description].length > 1500) {
      throw new MastodonHttpError(422, 'Validation failed: Description is too long (maximum is 1500 characters)');
    }
    const kind =
      mimeType === 'image/gif'
        ? 'gifv'
        : mimeType.startsWith('image/')
          ? 'image'
          : mimeType.startsWith('video/')
            ? 'video'
            : 'audio';
    // Mastodon delays the processing of video, audio and GIFs (delay_processing? on larger media formats).
    const delayed = kind !== 'image';
    const async = delayed || data.length > asyncOver;
    const probe = kind === 'video' ? probeVideo(data) : null;
    const failed = failNextProcessing || (kind === 'video' && probe === null);
    failNextProcessing = false;
    const m: Media = {
      id: snowflake(),
      type: kind,
      mimeType,
      data,
      description,
      pollsLeft: async ? (delayed ? videoPolls : processingPolls) + 1 : 0,
      failed,
      statusId: null,
      video: probe ? { width: probe.width, height: probe.height, durationSecs: probe.durationSecs } : null,
    };
    media.set(m.id, m);
    stats.mediaUploaded++;
    return reply.code(async ? 202 : 200).send(mediaJson(m));
  });

  /**
   * Only the user's media not yet attached to a status (`where(status_id: nil)`); each read moves
   * processing on, and once it has failed the answer is 422 (check_processing).
   */
  const unattachedMedia = (req: FastifyRequest): Media => {
    const m = media.get((req.params as { id: string }).id);
    if (!m || m.statusId !== null) throw new MastodonHttpError(404, 'Record not found');
    if (m.pollsLeft > 0) m.pollsLeft--;
    if (m.failed && m.pollsLeft <= 0) throw new MastodonHttpError(422, 'Error processing thumbnail for uploaded media');
    return m;
  };

  app.get('/api/v1/media/:id', async (req, reply) => {
    authenticate(req, 'write:media');
    const m = unattachedMedia(req);
    return reply.code(m.pollsLeft > 0 ? 206 : 200).send(mediaJson(m));
  });

  app.put('/api/v1/media/:id', async (req, reply) => {
    authenticate(req, 'write:media');
    const m = unattachedMedia(req);
    const description = stringField(req.body, 'description');
    if (description !== undefined) {
      if ([...description].length > 1500)
        throw new MastodonHttpError(422, 'Validation failed: Description is too long (maximum is 1500 characters)');
      m.description = description;
    }
    return reply.code(m.pollsLeft > 0 ? 206 : 200).send(mediaJson(m));
  });

  app.get('/system/media_attachments/files/:id/:size/file', async (req, reply) => {
    const m = media.get((req.params as { id: string }).id);
    if (!m || m.pollsLeft > 0) return reply.code(404).send({ error: 'Record not found' });
    return reply.type(m.mimeType).send(m.data);
  });

  // --- Statuses (https://docs.joinmastodon.org/methods/statuses/) ---

  app.post('/api/v1/statuses', async (req) => {
    const token = authenticate(req, 'write:statuses');
    const key = req.headers['idempotency-key'];
    const idemKey = typeof key === 'string' && key !== '' ? `${token.userId}:${key}` : null;
    const previous = idemKey ? idempotency.get(idemKey) : undefined;
    if (previous) return statusJson(statuses.get(previous) as StoredStatus);

    const text = stringField(req.body, 'status') ?? '';
    const mediaIds = listField(req.body, 'media_ids');
    if (mediaIds.length > 4) throw new MastodonHttpError(422, 'Cannot attach more than 4 files');
    const attached = mediaIds.map((id) => media.get(id));
    const missing = mediaIds.filter((_id, i) => !attached[i] || attached[i]?.statusId !== null);
    if (missing.length > 0) {
      throw new MastodonHttpError(
        422,
        `Media with IDs ${missing.join(', ')} not found or already attached to another post`,
      );
    }
    if (attached.some((m) => (m as Media).pollsLeft > 0 || (m as Media).failed)) {
      throw new MastodonHttpError(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    }
    if (attached.length > 1 && attached.some((m) => (m as Media).type !== 'image'))
      throw new MastodonHttpError(422, 'Cannot attach a video to a post that already contains images');
    if (text.trim() === '' && mediaIds.length === 0)
      throw new MastodonHttpError(422, "Validation failed: Text can't be blank");
    if (countableLength(text) > maxCharacters) {
      throw new MastodonHttpError(422, `Validation failed: Text character limit of ${maxCharacters} exceeded`);
    }
    // A reply (https://docs.joinmastodon.org/methods/statuses/#create `in_reply_to_id`): the status
    // answered must exist and be visible, else 404 as Mastodon's StatusesController finds it.
    const inReplyToId = stringField(req.body, 'in_reply_to_id') ?? null;
    // A poll (`poll[options][]`, `poll[expires_in]`): the instance's bounds (Mastodon's defaults: 2
    // to 4 options of at most 50 characters, 300 s to 2,629,746 s), and no media beside it.
    const rawPoll = field(req.body, 'poll') as { options?: unknown; expires_in?: unknown } | undefined;
    let poll: StoredStatus['poll'] = null;
    if (rawPoll !== undefined && rawPoll !== null) {
      const options = rawPoll.options;
      const expiresIn = Number(rawPoll.expires_in);
      if (!Array.isArray(options) || options.length < 2 || options.length > polls.max_options)
        throw new MastodonHttpError(
          422,
          `Validation failed: Poll options must have between 2 and ${polls.max_options} items`,
        );
      if (
        options.some((o) => typeof o !== 'string' || o.trim() === '' || [...o].length > polls.max_characters_per_option)
      )
        throw new MastodonHttpError(
          422,
          `Validation failed: Poll options must be at most ${polls.max_characters_per_option} characters`,
        );
      if (!Number.isInteger(expiresIn) || expiresIn < polls.min_expiration || expiresIn > polls.max_expiration)
        throw new MastodonHttpError(422, 'Validation failed: Poll expiration is out of range');
      if (mediaIds.length > 0) throw new MastodonHttpError(422, 'Cannot attach files to a post with a poll');
      poll = { options: options as string[], expiresIn };
    }
    if (inReplyToId !== null && (!statuses.get(inReplyToId) || statuses.get(inReplyToId)!.deleted))
      throw new MastodonHttpError(404, 'Record not found');
    const visibility = stringField(req.body, 'visibility') ?? 'public';
    if (!['public', 'unlisted', 'private', 'direct'].includes(visibility))
      throw new MastodonHttpError(422, 'Validation failed: Visibility is not included in the list');
    const sensitive = field(req.body, 'sensitive');
    const status: StoredStatus = {
      id: snowflake(),
      text,
      createdAt: new Date().toISOString(),
      visibility,
      sensitive: sensitive === true || sensitive === 'true',
      spoilerText: stringField(req.body, 'spoiler_text') ?? '',
      language: stringField(req.body, 'language') ?? 'en',
      mediaIds,
      clientId: token.clientId,
      deleted: false,
      inReplyToId,
      poll,
    };
    for (const m of attached) (m as Media).statusId = status.id;
    statuses.set(status.id, status);
    if (idemKey) idempotency.set(idemKey, status.id);
    stats.statusesCreated++;
    return statusJson(status);
  });

  app.get('/api/v1/statuses/:id', async (req) => {
    const s = statuses.get((req.params as { id: string }).id);
    if (!s || s.deleted) throw new MastodonHttpError(404, 'Record not found');
    return statusJson(s);
  });

  app.delete('/api/v1/statuses/:id', async (req) => {
    authenticate(req, 'write:statuses');
    const s = statuses.get((req.params as { id: string }).id);
    if (!s || s.deleted) throw new MastodonHttpError(404, 'Record not found');
    s.deleted = true;
    stats.statusesDeleted++;
    return statusJson(s, true);
  });

  await app.ready();

  const listen = async (onPort: number) => {
    const next = http.createServer((req, res) => app.routing(req, res));
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(onPort, '127.0.0.1', () => resolve());
    });
    server = next;
    port = (next.address() as AddressInfo).port;
    baseUrl = `http://127.0.0.1:${port}`;
  };
  const stop = async () => {
    const current = server;
    if (!current) return;
    server = null;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  };
  await listen(0);

  return {
    get url() {
      return baseUrl;
    },
    get port() {
      return port;
    },
    stats,
    account: { id: userId, username },
    issueToken(scopes = 'read write') {
      const token = newToken(null, scopeList(scopes, ['read']), userId, true);
      return { accessToken: token.accessToken, refreshToken: token.refreshToken as string };
    },
    statusTexts() {
      return [...statuses.values()].map((st) => ({
        id: st.id,
        text: st.text,
        deleted: st.deleted,
        inReplyToId: st.inReplyToId,
        poll: st.poll,
      }));
    },
    registeredApps() {
      return [...apps.values()].map(({ name, clientId, clientSecret, redirectUris, scopes }) => ({
        name,
        clientId,
        clientSecret,
        redirectUris,
        scopes,
      }));
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(status, headers = {}, error) {
      failures.push({ status, headers, error });
    },
    failNextMediaProcessing() {
      failNextProcessing = true;
    },
    media(id) {
      const m = media.get(id);
      return m ? { type: m.type, mimeType: m.mimeType, data: m.data, description: m.description } : undefined;
    },
    down: stop,
    up: () => listen(port),
    async close() {
      await stop();
      await app.close();
    },
  };
}
