import { setTimeout as sleep } from 'node:timers/promises';
import {
  answerError,
  clipErrorText,
  parseJson,
  platformUrl,
  RATE_LIMIT_RESET,
  sendToPlatform,
  unexpectedAnswer,
} from '../http';
import { refreshedTokens, refreshGrantForm } from '../token-answer';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  mediaName,
} from '../types';
import { PLATFORM_RULES, type PollRules } from '../../../../src-shared/platform-rules';

/*
 * Mastodon's REST API (https://docs.joinmastodon.org/methods/), spoken with Node's own fetch.
 * Every call has a 30 s timeout; every failure becomes a classified PlatformError.
 */

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Waits between polls of an image Mastodon is still processing (about a minute in all). */
const MEDIA_POLL_DELAYS_MS = [250, 500, 1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000];

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Mastodon's defaults; an instance may configure more (see `instanceLimits`). */
export const mastodonLimits: PlatformLimits = Object.freeze({
  maxTextLength: 500,
  maxImages: 4,
  maxImageBytes: 16 * 1024 * 1024,
  imageTypes: IMAGE_TYPES,
  mediaRequired: false,
});

export interface MastodonAdapterOptions {
  fetch?: FetchLike;
  /** Waits between polls of media still processing; the number of entries bounds the polling. */
  mediaPollDelaysMs?: readonly number[];
}

type Json = Record<string, unknown>;

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** What Postroom was doing, for the error message ("publish the post"). */
  what: string;
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: FormData;
  headers?: Record<string, string>;
  /** The OAuth token endpoint: `invalid_grant` means the grant is dead and a person must reconnect. */
  tokenEndpoint?: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  data: unknown;
}

function endpoint(baseUrl: string, path: string): URL {
  return platformUrl('the Mastodon instance address', baseUrl, path);
}

async function call(fetchImpl: FetchLike, baseUrl: string, c: Call): Promise<Answer> {
  const url = endpoint(baseUrl, c.path);
  const headers = new Headers({ Accept: 'application/json', ...c.headers });
  if (c.token) headers.set('Authorization', `Bearer ${c.token}`);
  let body: RequestInit['body'] = c.body;
  if (c.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(c.json);
  } else if (c.form) {
    body = new URLSearchParams(c.form);
  }
  const { res, text } = await sendToPlatform('Mastodon', c.what, url, { method: c.method, headers, body }, fetchImpl);
  const data = parseJson(text);
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, data };
  throw httpError(res, data, c);
}

/** The platform's own words: `error` (and an OAuth `error_description`), else the HTTP reason. */
function errorText(data: unknown, res: Response): string {
  const rec = asRecord(data);
  const error = typeof rec?.error === 'string' ? rec.error : null;
  const description = typeof rec?.error_description === 'string' ? rec.error_description : null;
  const text =
    error && description ? `${error}: ${description}` : (error ?? description ?? (res.statusText || 'no reason given'));
  return clipErrorText(text);
}

function httpError(res: Response, data: unknown, c: Call): PlatformError {
  // A 401 is a token the instance no longer takes; at the token endpoint, `invalid_grant` a revoked grant.
  const deadGrant = c.tokenEndpoint === true && res.status === 400 && asRecord(data)?.error === 'invalid_grant';
  const deadConnection = res.status === 401 || deadGrant;
  const answer = { status: res.status, headers: res.headers, text: errorText(data, res), deadConnection };
  return answerError('Mastodon', c.what, answer, RATE_LIMIT_RESET.mastodon);
}

function asRecord(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

/** A 2xx answer that is not what Mastodon sends: the call may have landed, so it is safe only to retry. */
function unexpected(what: string, field: string): PlatformError {
  return unexpectedAnswer('Mastodon', what, field, 'retry');
}

function str(rec: Json | null, key: string): string | null {
  const v = rec?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
};

export function createMastodonAdapter(options: MastodonAdapterOptions = {}): PlatformAdapter {
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const pollDelays = options.mediaPollDelaysMs ?? MEDIA_POLL_DELAYS_MS;

  async function uploadMedia(
    client: PlatformClient,
    token: string,
    media: MediaUpload,
    index: number,
  ): Promise<string> {
    const what = `upload ${mediaName(media, index)}`;
    const form = new FormData();
    const file = new Blob([new Uint8Array(media.data)], { type: media.mimeType });
    form.append('file', file, `${mediaName(media, index).replace(' ', '-')}.${EXTENSIONS[media.mimeType] ?? 'bin'}`);
    if (media.altText) form.append('description', media.altText);
    const answer = await call(fetchImpl, client.apiBaseUrl, {
      method: 'POST',
      path: '/api/v2/media',
      what,
      token,
      body: form,
    });
    const attachment = asRecord(answer.data);
    const id = str(attachment, 'id');
    if (!id) throw unexpected(what, 'media id');
    if (answer.status === 202 || !str(attachment, 'url'))
      await waitForMedia(client, token, id, mediaName(media, index));
    return id;
  }

  /**
   * Mastodon processes video and large images after answering 202 (https://docs.joinmastodon.org/methods/media/#v2):
   * a status may only attach it once it has a URL; 206 means still processing, 422 that it failed.
   */
  async function waitForMedia(client: PlatformClient, token: string, id: string, name: string): Promise<void> {
    const what = `check ${name}`;
    for (const delay of pollDelays) {
      await sleep(delay);
      let answer: Answer;
      try {
        answer = await call(fetchImpl, client.apiBaseUrl, {
          method: 'GET',
          path: `/api/v1/media/${encodeURIComponent(id)}`,
          what,
          token,
        });
      } catch (err) {
        if (err instanceof PlatformError && err.status === 404) continue; // not visible yet
        throw err;
      }
      // 206 Partial Content: still processing.
      if (answer.status === 200 && str(asRecord(answer.data), 'url')) return;
    }
    throw new PlatformError(`Mastodon is still processing ${name}; try again later`, true);
  }

  return {
    platform: 'mastodon',
    limits: mastodonLimits,

    async profile(client, tokens) {
      const what = 'read the account';
      const answer = await call(fetchImpl, client.apiBaseUrl, {
        method: 'GET',
        path: '/api/v1/accounts/verify_credentials',
        what,
        token: tokens.accessToken,
      });
      const account = asRecord(answer.data);
      const accountId = str(account, 'id');
      const handle = str(account, 'acct');
      if (!accountId || !handle) throw unexpected(what, 'account id');
      return { accountId, handle, displayName: str(account, 'display_name') ?? str(account, 'username') ?? handle };
    },

    async refresh(client, tokens) {
      // Mastodon's tokens usually do not expire and come without a refresh token.
      if (!tokens.refreshToken) return tokens;
      const what = "refresh the connection's tokens";
      const answer = await call(fetchImpl, client.apiBaseUrl, {
        method: 'POST',
        path: '/oauth/token',
        what,
        form: refreshGrantForm(client, tokens.refreshToken),
        tokenEndpoint: true,
      });
      const data = asRecord(answer.data);
      const accessToken = str(data, 'access_token');
      if (!accessToken) throw unexpected(what, 'access token');
      return refreshedTokens(accessToken, data, tokens);
    },

    takesReplies: true,
    async publish(client, tokens, post) {
      const mediaIds: string[] = [];
      for (const [index, media] of post.media.entries()) {
        mediaIds.push(await uploadMedia(client, tokens.accessToken, media, index));
      }
      const what = 'publish the post';
      const answer = await call(fetchImpl, client.apiBaseUrl, {
        method: 'POST',
        path: '/api/v1/statuses',
        what,
        token: tokens.accessToken,
        headers: { 'Idempotency-Key': post.idempotencyKey },
        json: {
          status: post.text,
          ...(mediaIds.length > 0 ? { media_ids: mediaIds } : {}),
          // A part of a thread: a reply to the part before (https://docs.joinmastodon.org/methods/statuses/#create).
          ...(post.replyTo ? { in_reply_to_id: post.replyTo.parentId } : {}),
          // A poll: its options and `expires_in` seconds (https://docs.joinmastodon.org/methods/statuses/#create).
          ...(post.poll ? { poll: { options: post.poll.options, expires_in: post.poll.durationMinutes * 60 } } : {}),
        },
      });
      const status = asRecord(answer.data);
      const postId = str(status, 'id');
      const url = str(status, 'url') ?? str(status, 'uri');
      if (!postId || !url) throw unexpected(what, 'status id');
      return { postId, url };
    },

    async remove(client, tokens, postId) {
      try {
        await call(fetchImpl, client.apiBaseUrl, {
          method: 'DELETE',
          path: `/api/v1/statuses/${encodeURIComponent(postId)}`,
          what: 'delete the post',
          token: tokens.accessToken,
        });
      } catch (err) {
        // Already gone: deleting is idempotent.
        if (err instanceof PlatformError && err.status === 404) return;
        throw err;
      }
    },
  };
}

export const mastodonAdapter: PlatformAdapter = createMastodonAdapter();

/**
 * What Postroom asks of an account: read it (verify_credentials) and write statuses and media. The
 * app is registered with these scopes and every sign-in asks for them, as Mastodon requires.
 */
export const MASTODON_SCOPES = 'read write';

/**
 * Registers Postroom as an OAuth app on an instance (`POST /api/v1/apps`,
 * https://docs.joinmastodon.org/methods/apps/#create): no account needed; the answer carries the
 * app's `client_id` and `client_secret`.
 */
export async function registerMastodonApp(
  instanceUrl: string,
  redirectUri: string,
  scopes: string = MASTODON_SCOPES,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<{ clientId: string; clientSecret: string }> {
  const what = 'register Postroom as an app';
  const answer = await call(fetchImpl, instanceUrl, {
    method: 'POST',
    path: '/api/v1/apps',
    what,
    json: { client_name: 'Postroom', redirect_uris: redirectUri, scopes },
  });
  const app = asRecord(answer.data);
  const clientId = str(app, 'client_id');
  const clientSecret = str(app, 'client_secret');
  if (!clientId || !clientSecret) throw unexpected(what, 'client credentials');
  return { clientId, clientSecret };
}

/** What an instance sets for itself: the platform's limits, and its polls' bounds. */
export interface InstanceLimits extends PlatformLimits {
  poll: PollRules;
}

/**
 * The instance's own limits (GET /api/v2/instance), falling back to Mastodon's defaults field by
 * field. Polls: `configuration.polls` (https://docs.joinmastodon.org/entities/Instance/#polls), its
 * expirations in seconds, kept in whole minutes inside them.
 */
export async function instanceLimits(
  apiBaseUrl: string,
  fetchImpl: FetchLike = (input, init) => fetch(input, init),
): Promise<InstanceLimits> {
  const answer = await call(fetchImpl, apiBaseUrl, {
    method: 'GET',
    path: '/api/v2/instance',
    what: "read the instance's limits",
  });
  const configuration = asRecord(asRecord(answer.data)?.configuration);
  const statuses = asRecord(configuration?.statuses);
  const media = asRecord(configuration?.media_attachments);
  const polls = asRecord(configuration?.polls);
  const pollDefaults = PLATFORM_RULES.mastodon.poll!;
  const positive = (v: unknown, fallback: number) =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
  const supported = Array.isArray(media?.supported_mime_types)
    ? media.supported_mime_types.filter((t) => typeof t === 'string')
    : null;
  return {
    maxTextLength: positive(statuses?.max_characters, mastodonLimits.maxTextLength),
    maxImages: positive(statuses?.max_media_attachments, mastodonLimits.maxImages),
    maxImageBytes: positive(media?.image_size_limit, mastodonLimits.maxImageBytes),
    imageTypes: supported ? IMAGE_TYPES.filter((t) => supported.includes(t)) : mastodonLimits.imageTypes,
    mediaRequired: false,
    poll: {
      maxOptions: positive(polls?.max_options, pollDefaults.maxOptions),
      maxOptionLength: positive(polls?.max_characters_per_option, pollDefaults.maxOptionLength),
      minMinutes: Math.ceil(positive(polls?.min_expiration, pollDefaults.minMinutes * 60) / 60),
      maxMinutes: Math.floor(positive(polls?.max_expiration, pollDefaults.maxMinutes * 60) / 60),
    },
  };
}
