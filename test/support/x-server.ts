import { createHash, randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { probeVideo } from './meta-graph';
import { listenOnLoopback } from './loopback';

/**
 * A local server for the parts of X's API v2 that Postroom uses (`POST /2/tweets`,
 * `DELETE /2/tweets/:id`, `GET /2/users/me`, `GET /2/users/:id/tweets`, `POST /2/media/upload`,
 * `POST /2/media/metadata`), with X's JSON shapes. The timeline gives text back as X does: links
 * replaced by t.co links (listed in `entities.urls`), `&<>` as HTML entities, a t.co media link
 * at the end of a post with images. X takes no idempotency key, so a repeated call makes a second post:
 * exactly what the scheduler must never do.
 *
 * Video and large media take the chunked upload of https://docs.x.com/x-api/media/quickstart/media-upload-chunked
 * (INIT, APPEND with `segment_index`, FINALIZE, STATUS), in both forms X documents: `command=` fields
 * on POST /2/media/upload, and POST /2/media/upload/initialize (JSON), /2/media/upload/:id/append,
 * /2/media/upload/:id/finalize. FINALIZE of a video or GIF answers `processing_info` (state
 * pending, then in_progress, then succeeded or failed, with `check_after_secs`), polled with
 * GET /2/media/upload?command=STATUS&media_id= (https://developer.x.com/en/docs/media/upload-media/api-reference/get-media-upload-status);
 * the media id cannot be posted before it succeeded.
 *
 * Replies (https://docs.x.com/x-api/posts/manage-tweets/introduction, POST /2/tweets `reply`):
 * `reply.in_reply_to_tweet_id` names the post answered, which must exist (else 403 "You attempted
 * to reply to a Tweet that is deleted or not visible to you."); the timeline gives a reply's
 * `referenced_tweets: [{type: "replied_to", id}]` and `in_reply_to_user_id` when `tweet.fields` asks for them.
 * Polls (POST /2/tweets `poll`): 2 to 4 options of 1 to 25 characters, `duration_minutes` 5 to
 * 10080, never with media (400 Invalid Request). Limits from X's media best practices: chunks
 * of at most 5 MB, videos up to 512 MB and 140 seconds, GIFs up to 15 MB; a post has one video or
 * GIF, or up to four images.
 */
export interface XTweet {
  id: string;
  text: string;
  /** `media.media_ids` of the post, in order; empty for a text post. */
  mediaIds: string[];
  /** ISO time X created it. */
  createdAt: string;
  /**
   * The post it replies to (`reply.in_reply_to_tweet_id`); absent for a post that is no reply.
   * A thread is a chain of these.
   */
  inReplyTo?: string;
  /** A poll (`poll.options`, `poll.duration_minutes`); absent for a post without one. */
  poll?: { options: string[]; durationMinutes: number };
}

export interface XMedia {
  id: string;
  data: Buffer;
  mimeType: string;
  category: string;
  altText: string | null;
  expiresAt: number;
}

/** X's image size limit for `POST /2/media/upload`, and of one APPEND chunk. */
export const X_IMAGE_SIZE_LIMIT = 5 * 1024 * 1024;

/** Chunked upload limits by kind of media (total bytes), and the longest video. */
export const X_MEDIA_LIMITS = {
  image: 5 * 1024 * 1024,
  gif: 15 * 1024 * 1024,
  video: 512 * 1024 * 1024,
  videoMaxSecs: 140,
  videoMinSecs: 0.5,
} as const;

const CATEGORIES = {
  tweet_image: 'image',
  dm_image: 'image',
  tweet_gif: 'gif',
  dm_gif: 'gif',
  tweet_video: 'video',
  amplify_video: 'video',
  dm_video: 'video',
} as const;
type Kind = (typeof CATEGORIES)[keyof typeof CATEGORIES];

/** A chunked upload session, from INIT to its processing's end. */
export interface XChunkedUpload {
  id: string;
  mediaType: string;
  category: keyof typeof CATEGORIES;
  kind: Kind;
  totalBytes: number;
  segments: Map<number, Buffer>;
  state: 'uploading' | 'pending' | 'in_progress' | 'succeeded' | 'failed';
  /** STATUS reads before processing ends. */
  pollsLeft: number;
  error: { code: number; name: string; message: string } | null;
}

export interface XServer {
  readonly url: string;
  readonly token: string;
  tweets(): XTweet[];
  /** A post made elsewhere (the X app), or earlier (a reply to `inReplyTo` when given); its id. */
  addTweet(text: string, createdAt?: Date, inReplyTo?: string): string;
  /** The server's clock for `created_at` (tests with a fake clock); the real one by default. */
  setNow(now: () => Date): void;
  /** An uploaded image (its bytes in `data`), or undefined. */
  media(id: string): XMedia | undefined;
  /** Every media id uploaded so far, attached or not. */
  mediaIds(): string[];
  /** How long an upload stays usable (X: 86400 s); past it a post refuses the id as invalid. */
  setMediaExpiry(seconds: number): void;
  setLatency(ms: number): void;
  /** From now on every refresh is refused (a revoked app, a password change). */
  refuseRefresh(): void;
  failNext(status: number, headers?: Record<string, string>): void;
  /**
   * The next post is made, but X answers it with this error anyway (as it does in its incidents);
   * with `after`, that many posts are answered normally first (a thread's later part).
   */
  postButFailNext(status: number, after?: number): void;
  /** A chunked upload session by media id. */
  chunkedUpload(id: string): XChunkedUpload | undefined;
  /** STATUS reads a video or GIF stays pending/in_progress before it succeeds. Default 2. */
  setProcessingPolls(polls: number): void;
  /** The next finalized video or GIF fails processing (InvalidMedia). */
  failNextProcessing(): void;
  /** The next APPEND is cut off with this status (a connection lost mid-upload). */
  failNextAppend(status: number): void;
  close(): Promise<void>;
}

/** What this X grants (X grants what the app asks for; Postroom asks for these). */
const GRANTED_SCOPE = 'tweet.read tweet.write users.read media.write offline.access';

/** X refuses an invalid request: 400 and its problem (https://api.x.com/2/problems/invalid-request). */
function invalidRequest(reply: FastifyReply, parameter: string, values: string[], message: string) {
  return reply.code(400).send({
    errors: [{ parameters: { [parameter]: values }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

/** A multipart field's value (`attachFieldsToBody` wraps each part). */
function partValue(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

export async function startXServer(): Promise<XServer> {
  const app = Fastify({ logger: false });
  await app.register(multipart, { attachFieldsToBody: true, limits: { fileSize: X_IMAGE_SIZE_LIMIT, files: 1 } });
  const token = randomBytes(16).toString('hex');
  const tweets: XTweet[] = [];
  const uploads = new Map<string, XMedia>();
  let nextMediaId = 1_900_000_000_000_000_000n;
  let mediaExpirySecs = 86_400;
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const failuresAfterPosting: number[] = [];
  const appendFailures: number[] = [];
  let latencyMs = 0;
  let nextId = 1_800_000_000_000_000_000n;
  const chunked = new Map<string, XChunkedUpload>();
  let processingPolls = 2;
  let failProcessing = false;
  let now = () => new Date();
  const ACCOUNT_ID = '2244994945';

  // OAuth 2.0 with PKCE, as X's own endpoints: the consent is approved at once.
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  app.get('/i/oauth2/authorize', async (request, reply) => {
    const q = request.query as Record<string, string>;
    if (q.code_challenge_method !== 'S256' || !q.code_challenge || !q.redirect_uri)
      return reply.code(400).send({ error: 'invalid_request' });
    const code = randomBytes(12).toString('hex');
    codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state) back.searchParams.set('state', q.state);
    return reply.redirect(back.href, 302);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const refreshTokens = new Set<string>();
  let refusesRefresh = false;
  app.post('/2/oauth2/token', async (request, reply) => {
    const body = request.body as Record<string, string>;
    if (body.grant_type === 'refresh_token') {
      // X rotates refresh tokens: each one works once.
      if (refusesRefresh || !refreshTokens.delete(body.refresh_token ?? ''))
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'Value passed for the token was invalid.' });
      const next = randomBytes(12).toString('hex');
      refreshTokens.add(next);
      return { token_type: 'bearer', expires_in: 7200, access_token: token, scope: GRANTED_SCOPE, refresh_token: next };
    }
    const grant = codes.get(body.code ?? '');
    codes.delete(body.code ?? '');
    const verifierHash = createHash('sha256')
      .update(body.code_verifier ?? '')
      .digest('base64url');
    if (!grant || grant.challenge !== verifierHash || grant.redirectUri !== body.redirect_uri)
      return reply
        .code(400)
        .send({ error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
    const refresh = randomBytes(12).toString('hex');
    refreshTokens.add(refresh);
    return {
      token_type: 'bearer',
      expires_in: 7200,
      access_token: token,
      scope: GRANTED_SCOPE,
      refresh_token: refresh,
    };
  });

  app.addHook('onRequest', async (request, reply) => {
    const failure = failures.shift();
    if (failure)
      return reply
        .code(failure.status)
        .headers(failure.headers)
        .send({ title: 'Failure', detail: `HTTP ${failure.status}`, status: failure.status });
    if (request.url.startsWith('/i/oauth2/') || request.url.startsWith('/2/oauth2/')) return;
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply.code(401).send({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    }
  });
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return payload;
  });

  /** How X's v2 gives a post's text back: t.co links (with `entities.urls`), `&<>` escaped. */
  const shown = (t: XTweet, fields: readonly string[]) => {
    const urls: Record<string, unknown>[] = [];
    let text = '';
    let rest = t.text;
    const link = /(?:https?:\/\/|\b(?=[a-z0-9-]+\.(?:com|org|net|io|test)\b))\S+/iu;
    for (let m = link.exec(rest); m; m = link.exec(rest)) {
      text += rest.slice(0, m.index);
      const short = `https://t.co/${createHash('sha256')
        .update(m[0])
        .digest('base64url')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 10)}`;
      urls.push({
        start: [...text].length,
        end: [...text].length + short.length,
        url: short,
        expanded_url: /^https?:/i.test(m[0]) ? m[0] : `http://${m[0]}`,
        display_url: m[0].replace(/^https?:\/\//i, ''),
      });
      text += short;
      rest = rest.slice(m.index + m[0].length);
    }
    text += rest;
    const mediaKeys = t.mediaIds.map((id) => `3_${id}`);
    if (mediaKeys.length > 0) {
      const short = `https://t.co/m${t.id.slice(-9)}`;
      text = text === '' ? short : `${text} ${short}`;
      urls.push({
        start: [...text].length - short.length,
        end: [...text].length,
        url: short,
        expanded_url: `https://x.com/clientonx/status/${t.id}/photo/1`,
        display_url: 'pic.x.com/m',
        media_key: mediaKeys[0],
      });
    }
    text = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
      id: t.id,
      text,
      created_at: t.createdAt,
      edit_history_tweet_ids: [t.id],
      ...(urls.length > 0 ? { entities: { urls } } : {}),
      ...(mediaKeys.length > 0 ? { attachments: { media_keys: mediaKeys } } : {}),
      ...(t.inReplyTo && fields.includes('referenced_tweets')
        ? { referenced_tweets: [{ type: 'replied_to', id: t.inReplyTo }] }
        : {}),
      ...(t.inReplyTo && fields.includes('in_reply_to_user_id') ? { in_reply_to_user_id: ACCOUNT_ID } : {}),
    };
  };

  /** The user's posts, newest first: `start_time`, `max_results` 5..100, `pagination_token`, X's `data`/`meta`. */
  app.get('/2/users/:id/tweets', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const q = request.query as Record<string, string | undefined>;
    if (id !== ACCOUNT_ID)
      return reply.code(404).send({
        errors: [
          {
            value: id,
            detail: `Could not find user with id: [${id}].`,
            title: 'Not Found Error',
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      });
    const max = Number(q.max_results ?? 10);
    if (!Number.isInteger(max) || max < 5 || max > 100)
      return invalidRequest(
        reply,
        'max_results',
        [String(q.max_results)],
        `The \`max_results\` query parameter value [${String(q.max_results)}] is not between 5 and 100`,
      );
    if (q.start_time !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(q.start_time))
      return invalidRequest(reply, 'start_time', [q.start_time], 'Invalid start_time.');
    const since = q.start_time ? Date.parse(q.start_time) : -Infinity;
    const mine = tweets
      .filter((t) => Date.parse(t.createdAt) >= since)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const offset = q.pagination_token ? Number(Buffer.from(q.pagination_token, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      return invalidRequest(
        reply,
        'pagination_token',
        [String(q.pagination_token)],
        'The pagination token is invalid.',
      );
    const page = mine.slice(offset, offset + max);
    const meta: Record<string, unknown> = { result_count: page.length };
    if (page.length > 0) Object.assign(meta, { newest_id: page[0]!.id, oldest_id: page.at(-1)!.id });
    if (offset + max < mine.length) meta.next_token = Buffer.from(String(offset + max)).toString('base64url');
    if (offset > 0) meta.previous_token = Buffer.from(String(Math.max(0, offset - max))).toString('base64url');
    // X leaves `data` out when there is nothing to give.
    const fields = (q['tweet.fields'] ?? '').split(',');
    return page.length > 0 ? { data: page.map((t) => shown(t, fields)), meta } : { meta };
  });

  app.get('/2/users/me', async () => ({ data: { id: ACCOUNT_ID, name: 'Client on X', username: 'clientonx' } }));
  app.setErrorHandler((err, _request, reply) => {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      return invalidRequest(reply, 'media', [], `File size exceeds ${X_IMAGE_SIZE_LIMIT} bytes.`);
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({
      title: status >= 500 ? 'Internal Server Error' : 'Invalid Request',
      detail: err instanceof Error ? err.message : 'Error',
      status,
    });
  });

  const field = (body: unknown, name: string) => {
    const v = partValue(body, name) as { value?: unknown } | string | number | undefined;
    return v !== null && typeof v === 'object' ? v.value : v;
  };
  const mediaKey = (id: string, kind: Kind) => `${kind === 'video' ? 7 : kind === 'gif' ? 16 : 3}_${id}`;

  /** INIT: a session for `total_bytes` of `media_type` in `media_category`. */
  const initialize = (reply: FastifyReply, body: unknown) => {
    const mediaType = field(body, 'media_type');
    const totalBytes = Number(field(body, 'total_bytes'));
    const category = String(field(body, 'media_category') ?? '') as keyof typeof CATEGORIES;
    const kind = CATEGORIES[category];
    if (!kind)
      return invalidRequest(
        reply,
        'media_category',
        [category],
        `The \`media_category\` field must be one of ${Object.keys(CATEGORIES).join(', ')}.`,
      );
    if (typeof mediaType !== 'string' || !/^(image|video)\/[\w.+-]+$/.test(mediaType))
      return invalidRequest(reply, 'media_type', [String(mediaType ?? '')], 'The `media_type` field is invalid.');
    if (!Number.isInteger(totalBytes) || totalBytes <= 0 || totalBytes > X_MEDIA_LIMITS[kind])
      return invalidRequest(
        reply,
        'total_bytes',
        [String(field(body, 'total_bytes') ?? '')],
        `total_bytes must be between 1 and ${X_MEDIA_LIMITS[kind]} for ${kind}.`,
      );
    const id = String(nextMediaId++);
    chunked.set(id, {
      id,
      mediaType,
      category,
      kind,
      totalBytes,
      segments: new Map(),
      state: 'uploading',
      pollsLeft: 0,
      error: null,
    });
    return { data: { id, media_key: mediaKey(id, kind), expires_after_secs: mediaExpirySecs } };
  };

  /** APPEND: one chunk (at most 5 MB) at `segment_index` 0 to 999. */
  const append = async (reply: FastifyReply, id: string, body: unknown) => {
    const cut = appendFailures.shift();
    if (cut) return reply.code(cut).send({ title: 'Failure', detail: `HTTP ${cut}`, status: cut });
    const upload = chunked.get(id);
    if (!upload || upload.state !== 'uploading')
      return invalidRequest(reply, 'media_id', [id], 'The media id is invalid or its upload is finalized.');
    const file = partValue(body, 'media') as { type?: string; toBuffer?: () => Promise<Buffer> } | undefined;
    const index = Number(field(body, 'segment_index'));
    if (!file || file.type !== 'file' || !file.toBuffer)
      return invalidRequest(reply, 'media', [], 'The `media` field is required.');
    if (!Number.isInteger(index) || index < 0 || index > 999)
      return invalidRequest(
        reply,
        'segment_index',
        [String(field(body, 'segment_index'))],
        'segment_index must be between 0 and 999.',
      );
    upload.segments.set(index, await file.toBuffer());
    return { data: { expires_at: Math.floor(Date.now() / 1000) + mediaExpirySecs } };
  };

  const statusOf = (upload: XChunkedUpload) => ({
    id: upload.id,
    media_key: mediaKey(upload.id, upload.kind),
    size: upload.totalBytes,
    expires_after_secs: mediaExpirySecs,
    ...(upload.state === 'succeeded' && upload.kind === 'image'
      ? {}
      : {
          processing_info: {
            state: upload.state,
            ...(upload.state === 'pending' || upload.state === 'in_progress' ? { check_after_secs: 1 } : {}),
            progress_percent:
              upload.state === 'succeeded'
                ? 100
                : upload.state === 'in_progress'
                  ? 50
                  : upload.state === 'failed'
                    ? 12
                    : 0,
            ...(upload.error ? { error: upload.error } : {}),
          },
        }),
  });

  /** FINALIZE: the chunks, in segment order, must add up to total_bytes; video and GIFs are then processed. */
  const finalize = (reply: FastifyReply, id: string) => {
    const upload = chunked.get(id);
    if (!upload || upload.state !== 'uploading')
      return invalidRequest(reply, 'media_id', [id], 'The media id is invalid or its upload is finalized.');
    const data = Buffer.concat([...upload.segments.entries()].sort(([a], [b]) => a - b).map(([, chunk]) => chunk));
    if (data.length !== upload.totalBytes)
      return invalidRequest(
        reply,
        'media_id',
        [id],
        `File size mismatch: ${data.length} bytes received, total_bytes was ${upload.totalBytes}.`,
      );
    if (upload.kind === 'image') upload.state = 'succeeded';
    else {
      const probe = upload.kind === 'video' ? probeVideo(data) : null;
      const bad =
        failProcessing ||
        (upload.kind === 'video' &&
          (!probe ||
            probe.durationSecs < X_MEDIA_LIMITS.videoMinSecs ||
            probe.durationSecs > X_MEDIA_LIMITS.videoMaxSecs));
      failProcessing = false;
      upload.state = 'pending';
      upload.pollsLeft = processingPolls;
      if (bad)
        upload.error = {
          code: 1,
          name: 'InvalidMedia',
          message: probe
            ? `Invalid video duration: ${probe.durationSecs} seconds (at most ${X_MEDIA_LIMITS.videoMaxSecs})`
            : 'Unsupported video format',
        };
    }
    uploads.set(id, {
      id,
      data,
      mimeType: upload.mediaType,
      category: upload.category,
      altText: null,
      expiresAt: Date.now() + mediaExpirySecs * 1000,
    });
    return { data: statusOf(upload) };
  };

  app.post('/2/media/upload/initialize', async (request, reply) => initialize(reply, request.body ?? {}));
  app.post('/2/media/upload/:id/append', async (request, reply) => {
    if (!request.isMultipart()) return invalidRequest(reply, 'media', [], 'The request must be multipart/form-data.');
    return append(reply, (request.params as { id: string }).id, request.body);
  });
  app.post('/2/media/upload/:id/finalize', async (request, reply) =>
    finalize(reply, (request.params as { id: string }).id),
  );

  /** STATUS: each read moves processing on (pending, in_progress, then succeeded or failed). */
  app.get('/2/media/upload', async (request: FastifyRequest, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.command !== 'STATUS')
      return invalidRequest(reply, 'command', [String(q.command ?? '')], 'The `command` parameter must be STATUS.');
    const upload = chunked.get(q.media_id ?? '');
    if (!upload || upload.state === 'uploading')
      return invalidRequest(reply, 'media_id', [String(q.media_id ?? '')], 'The media id is invalid.');
    if (upload.state === 'pending' || upload.state === 'in_progress') {
      if (upload.pollsLeft > 0) {
        upload.pollsLeft--;
        upload.state = 'in_progress';
      } else upload.state = upload.error ? 'failed' : 'succeeded';
    }
    return { data: statusOf(upload) };
  });

  // Simple (one request) upload, as X's docs give it for images: multipart `media` + `media_category`;
  // with a `command` field, the chunked upload's INIT, APPEND and FINALIZE of the quickstart.
  app.post('/2/media/upload', async (request, reply) => {
    if (!request.isMultipart()) return invalidRequest(reply, 'media', [], 'The request must be multipart/form-data.');
    const command = field(request.body, 'command');
    if (command === 'INIT') return initialize(reply, request.body);
    if (command === 'APPEND') return append(reply, String(field(request.body, 'media_id') ?? ''), request.body);
    if (command === 'FINALIZE') return finalize(reply, String(field(request.body, 'media_id') ?? ''));
    if (command !== undefined)
      return invalidRequest(
        reply,
        'command',
        [String(command)],
        'The `command` field must be INIT, APPEND or FINALIZE.',
      );
    const file = partValue(request.body, 'media') as
      { type?: string; mimetype?: string; toBuffer?: () => Promise<Buffer> } | undefined;
    if (!file || file.type !== 'file' || !file.toBuffer)
      return invalidRequest(reply, 'media', [], 'The `media` field is required.');
    const category = (partValue(request.body, 'media_category') as { value?: unknown } | undefined)?.value;
    if (category !== 'tweet_image' && category !== 'dm_image')
      return invalidRequest(
        reply,
        'media_category',
        [String(category ?? '')],
        'The `media_category` field must be tweet_image or dm_image.',
      );
    const declared = (partValue(request.body, 'media_type') as { value?: unknown } | undefined)?.value;
    const data = await file.toBuffer();
    const id = String(nextMediaId++);
    const mimeType = typeof declared === 'string' ? declared : (file.mimetype ?? 'application/octet-stream');
    uploads.set(id, { id, data, mimeType, category, altText: null, expiresAt: Date.now() + mediaExpirySecs * 1000 });
    return {
      data: {
        id,
        media_key: `3_${id}`,
        size: data.length,
        expires_after_secs: mediaExpirySecs,
        image: { image_type: mimeType },
      },
    };
  });

  app.post('/2/media/metadata', async (request, reply) => {
    const body = (request.body ?? {}) as { id?: unknown; metadata?: { alt_text?: { text?: unknown } } };
    const media = typeof body.id === 'string' ? uploads.get(body.id) : undefined;
    if (!media) return invalidRequest(reply, 'id', [String(body.id ?? '')], 'The media id is invalid.');
    const alt = body.metadata?.alt_text?.text;
    if (alt !== undefined) {
      if (typeof alt !== 'string' || alt.length > 1000)
        return invalidRequest(
          reply,
          'metadata.alt_text.text',
          [],
          'Alt text must be a string of at most 1000 characters.',
        );
      media.altText = alt;
    }
    return { data: { id: media.id, associated_metadata: alt === undefined ? {} : { alt_text: { text: alt } } } };
  });

  app.post('/2/tweets', async (request, reply) => {
    const body = (request.body ?? {}) as {
      text?: unknown;
      media?: { media_ids?: unknown };
      reply?: { in_reply_to_tweet_id?: unknown };
      poll?: { options?: unknown; duration_minutes?: unknown };
    };
    let poll: XTweet['poll'];
    if (body.poll !== undefined) {
      const options = body.poll.options;
      const minutes = body.poll.duration_minutes;
      if (
        !Array.isArray(options) ||
        options.length < 2 ||
        options.length > 4 ||
        options.some((o) => typeof o !== 'string' || o.length < 1 || [...o].length > 25)
      )
        return invalidRequest(
          reply,
          'poll.options',
          [],
          'poll.options must hold 2 to 4 options of 1 to 25 characters.',
        );
      if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 5 || minutes > 10080)
        return invalidRequest(
          reply,
          'poll.duration_minutes',
          [String(minutes)],
          'poll.duration_minutes must be 5 to 10080.',
        );
      if (body.media !== undefined)
        return invalidRequest(reply, 'poll', [], 'A post cannot have both a poll and media.');
      poll = { options: options as string[], durationMinutes: minutes };
    }
    const inReplyTo = body.reply?.in_reply_to_tweet_id;
    if (inReplyTo !== undefined && (typeof inReplyTo !== 'string' || !tweets.some((t) => t.id === inReplyTo)))
      return reply.code(403).send({
        detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
      });
    const rawIds = body.media?.media_ids;
    if (
      rawIds !== undefined &&
      (!Array.isArray(rawIds) || rawIds.length === 0 || rawIds.length > 4 || rawIds.some((m) => typeof m !== 'string'))
    ) {
      return invalidRequest(reply, 'media.media_ids', [], 'media.media_ids must hold 1 to 4 media ids as strings.');
    }
    const mediaIds = (rawIds ?? []) as string[];
    // Expired, unknown, or a chunked upload whose processing has not succeeded.
    const unknown = mediaIds.filter(
      (m) =>
        (uploads.get(m)?.expiresAt ?? 0) <= Date.now() || (chunked.has(m) && chunked.get(m)?.state !== 'succeeded'),
    );
    if (unknown.length > 0) return invalidRequest(reply, 'media.media_ids', unknown, 'Your media IDs are invalid.');
    const moving = mediaIds.filter((m) => chunked.get(m)?.kind === 'video' || chunked.get(m)?.kind === 'gif');
    if (moving.length > 0 && mediaIds.length > 1)
      return invalidRequest(reply, 'media.media_ids', mediaIds, 'A post can have one video or GIF, or up to 4 images.');
    const text = body.text ?? '';
    if (typeof text !== 'string' || (text.length === 0 && mediaIds.length === 0))
      return reply.code(400).send({ title: 'Invalid Request', detail: 'text is required', status: 400 });
    const id = String(nextId++);
    tweets.push({
      id,
      text,
      mediaIds,
      createdAt: now().toISOString(),
      ...(typeof inReplyTo === 'string' ? { inReplyTo } : {}),
      ...(poll ? { poll } : {}),
    });
    const failAfter = failuresAfterPosting.shift();
    if (failAfter)
      return reply
        .code(failAfter)
        .send({ title: 'Service Unavailable', detail: `HTTP ${failAfter}`, status: failAfter });
    return reply.code(201).send({ data: { id, text, edit_history_tweet_ids: [id] } });
  });
  app.delete('/2/tweets/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    const i = tweets.findIndex((t) => t.id === id);
    if (i >= 0) tweets.splice(i, 1);
    return { data: { deleted: i >= 0 } };
  });

  return {
    url: await listenOnLoopback(app),
    token,
    tweets: () => tweets.map((t) => ({ ...t, mediaIds: [...t.mediaIds] })),
    addTweet: (text, createdAt, inReplyTo) => {
      const id = String(nextId++);
      tweets.push({
        id,
        text,
        mediaIds: [],
        createdAt: (createdAt ?? now()).toISOString(),
        ...(inReplyTo ? { inReplyTo } : {}),
      });
      return id;
    },
    setNow: (fn) => void (now = fn),
    media: (id) => uploads.get(id),
    mediaIds: () => [...uploads.keys()],
    setMediaExpiry: (seconds) => void (mediaExpirySecs = seconds),
    setLatency: (ms) => void (latencyMs = ms),
    refuseRefresh: () => void (refusesRefresh = true),
    failNext: (status, headers = {}) => void failures.push({ status, headers }),
    postButFailNext: (status, after = 0) => void failuresAfterPosting.push(...Array<number>(after).fill(0), status),
    failNextAppend: (status) => void appendFailures.push(status),
    chunkedUpload: (id) => chunked.get(id),
    setProcessingPolls: (polls) => void (processingPolls = polls),
    failNextProcessing: () => void (failProcessing = true),
    close: () => app.close(),
  };
}
