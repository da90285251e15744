import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { probeVideo } from './meta-graph';
import { listenOnLoopback } from './loopback';

/**
 * A local LinkedIn: the parts of its versioned REST API, OpenID Connect sign-in and userinfo and
 * OAuth token endpoint Postroom uses, with LinkedIn's paths, headers, JSON shapes and error bodies
 * (`{"status", "serviceErrorCode", "code", "message"}`): `GET /v2/userinfo`,
 * `POST /rest/images?action=initializeUpload` + `PUT` of the bytes to the upload URL,
 * `POST /rest/posts` (201, the post's URN in `x-restli-id`, no body), `GET`/`DELETE /rest/posts/{urn}`,
 * `GET /rest/organizationAcls?q=roleAssignee` (paged with `start`/`count`) and the Rest.li 2.0 batch
 * `GET /rest/organizations?ids=List(…)` (`results`/`statuses`/`errors`), and the sign-in:
 * `GET /oauth/.well-known/openid-configuration`, `GET /oauth/v2/authorization` (consents at once, as
 * the one member; no sign-in page) and `POST /oauth/v2/accessToken` (authorization code with PKCE,
 * and refresh). `/rest` calls need `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`.
 * Videos follow the Videos API (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api):
 * `POST /rest/videos?action=initializeUpload` with owner and fileSizeBytes gives the video URN and
 * upload instructions, one URL per 4 MiB part (firstByte, lastByte); each part is PUT and answers
 * its `etag`; `POST /rest/videos?action=finalizeUpload` takes the etags in order as
 * uploadedPartIds; `GET /rest/videos/{urn}` gives WAITING_UPLOAD, PROCESSING, then AVAILABLE or
 * PROCESSING_FAILED; a post takes the video in `content.media` once it is AVAILABLE. Videos are
 * 75 KB to 500 MB, 3 seconds to 30 minutes (the API's video specifications).
 * LinkedIn takes no idempotency key: a repeated call posts twice. In-memory, one member, who may
 * administer some organisation pages. The granted scope gates the organisation reads (403 without
 * `r_organization_admin`, as LinkedIn answers); posting as a page is gated by the administered
 * pages only. The token answer has no `id_token` (Postroom reads the member from userinfo).
 */

export interface LinkedInServerOptions {
  sub?: string;
  name?: string;
  /** LinkedIn sends no email without the `email` scope; null leaves it out. */
  email?: string | null;
  /**
   * Organisation pages (`urn:li:organization:<id>`) the member administers (role ADMINISTRATOR, APPROVED)
   * and may post as.
   */
  administeredOrganizations?: string[];
  /** Page names by URN (`localizedName`); a page without one is called "Organization <id>". */
  organizationNames?: Record<string, string>;
  /**
   * Other roles of the member (an ANALYST, a REQUESTED administrator…):
   * listed by the ACL finder only when its filters allow.
   */
  otherOrganizationRoles?: { organization: string; role: string; state: string }[];
  /** The most ACL rows one page answers, whatever `count` asks (LinkedIn caps it too). Default 100. */
  aclPageSize?: number;
  /**
   * What the member's current tokens were granted, comma-separated as LinkedIn reports it.
   * A sign-in replaces it with what it asked for.
   */
  scope?: string;
  /** Whether a refresh answers with a refresh token (LinkedIn sends the same one back) or none. Default true. */
  refreshReturnsRefreshToken?: boolean;
}

export interface LinkedInPost {
  urn: string;
  author: string;
  /** As sent, in LinkedIn's "little" text format. */
  commentary: string;
  /** The commentary as LinkedIn shows it: escapes removed, cut at the first unescaped markup character. */
  text: string;
  visibility: string;
  /** When LinkedIn created it (epoch milliseconds, as LinkedIn gives `createdAt`). */
  createdAt: number;
  media: { id: string; altText: string | null; mimeType: string | null; data: Buffer | null }[];
  /** Comments under it, oldest first (Comments API). */
  comments: LinkedInComment[];
}

export interface LinkedInComment {
  /** `urn:li:comment:(urn:li:activity:<n>,<id>)`. */
  urn: string;
  id: string;
  actor: string;
  text: string;
  createdAt: number;
}

export interface LinkedInServer {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sub: string;
  /** The member's current access and refresh tokens (a refresh replaces the access token). */
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Live posts, oldest first. */
  posts(): LinkedInPost[];
  /** A post made elsewhere (the LinkedIn site), or earlier: `commentary` in little text. */
  addPost(post: { commentary: string; author?: string; createdAt?: number }): string;
  /** The server's clock for `createdAt` (tests with a fake clock); the real one by default. */
  setNow(now: () => number): void;
  /** Every request, as `METHOD path`, for tests that check what was (not) called. */
  requests(): string[];
  /** Every request with its query string as sent (`GET /rest/organizations?ids=List(1,2)`). */
  requestUrls(): string[];
  /** The scope granted to the current tokens, comma-separated. */
  readonly grantedScope: string;
  /** Kills the refresh token, as a member revoking the app (or a year passing) would. */
  revokeRefreshToken(): void;
  setLatency(ms: number): void;
  /** The next request (whatever it is) is answered with this status, headers and LinkedIn's error body. */
  failNext(status: number, headers?: Record<string, string>, message?: string): void;
  /** A video by URN: its status and the bytes of its parts once finalized. */
  video(urn: string): LinkedInVideo | undefined;
  /** GET /rest/videos reads a video answers PROCESSING before AVAILABLE. Default 1. */
  setVideoProcessingPolls(polls: number): void;
  /** The next request to `path` (`/rest/organizations`, or below it) fails so; others go through. */
  failNextOn(path: string, status: number, headers?: Record<string, string>, message?: string): void;
  close(): Promise<void>;
}

class LinkedInHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly serviceErrorCode: number | null = null,
  ) {
    super(message);
  }
  body(): Record<string, unknown> {
    return {
      status: this.status,
      ...(this.serviceErrorCode !== null ? { serviceErrorCode: this.serviceErrorCode } : {}),
      code: this.code,
      message: this.message,
    };
  }
}

const DEFAULT_FAILURES: Record<number, { code: string; message: string }> = {
  400: { code: 'ILLEGAL_ARGUMENT', message: 'Bad request' },
  401: { code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' },
  403: { code: 'ACCESS_DENIED', message: 'Not enough permissions to access this resource' },
  404: { code: 'NOT_FOUND', message: 'Not Found' },
  422: { code: 'UNPROCESSABLE_ENTITY', message: 'Unprocessable entity' },
  429: {
    code: 'TOO_MANY_REQUESTS',
    message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
  },
  500: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal Server Error' },
  503: { code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable' },
  504: { code: 'GATEWAY_TIMEOUT', message: 'Gateway Timeout' },
};

const RESERVED = '|{}@[]()<>#\\*_~';
const MAX_COMMENTARY = 3000;
/** A comment's `message.text` (Comments API). */
const MAX_COMMENT = 1250;

/**
 * Renders "little" text the way LinkedIn shows it: `\x` is x, `#word` a hashtag,
 * `@[Name](urn:li:…)` a mention, `{hashtag|\#|word}` a hashtag; any other markup character ends
 * the text (LinkedIn silently drops the rest of the post).
 */
export function renderLittleText(commentary: string): string {
  let out = '';
  let i = 0;
  while (i < commentary.length) {
    const c = commentary[i] as string;
    const rest = commentary.slice(i);
    if (c === '\\' && i + 1 < commentary.length && RESERVED.includes(commentary[i + 1] as string)) {
      out += commentary[i + 1];
      i += 2;
      continue;
    }
    const hashtag = /^#[\p{L}\p{N}]+/u.exec(rest);
    if (hashtag && !/[\p{L}\p{N}]$/u.test(out)) {
      out += hashtag[0];
      i += hashtag[0].length;
      continue;
    }
    const mention = /^@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[^)]+)\)/.exec(rest);
    if (mention) {
      out += mention[1];
      i += mention[0].length;
      continue;
    }
    const template = /^\{hashtag\|\\?[#＃]\|([\p{L}\p{N}]+)\}/u.exec(rest);
    if (template) {
      out += `#${template[1]}`;
      i += template[0].length;
      continue;
    }
    if (RESERVED.includes(c)) break;
    out += c;
    i += 1;
  }
  return out;
}

/** Part size of LinkedIn's multipart video upload instructions (4 MiB). */
export const LINKEDIN_VIDEO_PART_BYTES = 4 * 1024 * 1024;
export const LINKEDIN_VIDEO_LIMITS = {
  minBytes: 75 * 1024,
  maxBytes: 500 * 1024 * 1024,
  minSecs: 3,
  maxSecs: 30 * 60,
} as const;

export interface LinkedInVideo {
  urn: string;
  owner: string;
  fileSizeBytes: number;
  parts: { firstByte: number; lastByte: number; uploadUrl: string; etag: string | null; data: Buffer | null }[];
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  pollsLeft: number;
  /** Processing will fail: not a video, or too short or too long. */
  failed: boolean;
  data: Buffer | null;
  durationSecs: number | null;
}

interface Image {
  urn: string;
  owner: string;
  uploadToken: string;
  mimeType: string | null;
  data: Buffer | null;
}

export async function startLinkedInServer(options: LinkedInServerOptions = {}): Promise<LinkedInServer> {
  const sub = options.sub ?? 'li-casey';
  const name = options.name ?? 'Casey Client';
  const email = options.email === undefined ? 'casey@client.test' : options.email;
  const organizations = new Set(options.administeredOrganizations ?? []);
  const organizationNames = options.organizationNames ?? {};
  const acls = [
    ...[...organizations].map((organization) => ({ organization, role: 'ADMINISTRATOR', state: 'APPROVED' })),
    ...(options.otherOrganizationRoles ?? []),
  ];
  const aclPageSize = options.aclPageSize ?? 100;
  let grantedScope = options.scope ?? 'email,openid,profile,w_member_social';
  const refreshReturnsRefreshToken = options.refreshReturnsRefreshToken ?? true;
  const memberUrn = `urn:li:person:${sub}`;
  const clientId = 'postroom-linkedin';
  const clientSecret = randomBytes(16).toString('base64url');

  let accessToken = randomBytes(24).toString('base64url');
  const refreshToken = randomBytes(24).toString('base64url');
  let refreshAlive = true;
  let latencyMs = 0;
  let counter = 7_200_000_000_000_000_000n;
  const failures: { status: number; headers: Record<string, string>; message: string | undefined; path?: string }[] =
    [];
  const requests: string[] = [];
  const requestUrls: string[] = [];
  const grants = new Map<string, { redirectUri: string; challenge: string | null; scope: string; used: boolean }>();
  const images = new Map<string, Image>();
  const uploads = new Map<string, Image>();
  const posts = new Map<string, LinkedInPost>();
  let now = () => Date.now();

  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Image bytes arrive with the image's own type (or none at all).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    requests.push(`${req.method} ${req.url.split('?')[0]}`);
    requestUrls.push(`${req.method} ${req.url}`);
    const path = req.url.split('?')[0] ?? '';
    const index = failures.findIndex((f) => f.path === undefined || path === f.path || path.startsWith(`${f.path}/`));
    const failure = index >= 0 ? failures.splice(index, 1)[0] : undefined;
    if (failure) {
      const d = DEFAULT_FAILURES[failure.status] ?? { code: 'ERROR', message: `HTTP ${failure.status}` };
      return reply
        .code(failure.status)
        .headers(failure.headers)
        .send({ status: failure.status, code: d.code, message: failure.message ?? d.message });
    }
  });
  // Latency after the work is done: the post exists before the answer leaves.
  app.addHook('onSend', async (_req, _reply, payload) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    return payload;
  });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof LinkedInHttpError) return reply.code(err.status).send(err.body());
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500)
      return reply
        .code(status)
        .send({ status, code: 'ILLEGAL_ARGUMENT', message: 'Request body could not be converted to data map' });
    return reply.code(500).send({ status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal Server Error' });
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ status: 404, code: 'NOT_FOUND', message: 'Not Found' }),
  );

  const authenticate = (req: FastifyRequest): void => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new LinkedInHttpError(401, 'Empty oauth2 access token', 'EMPTY_ACCESS_TOKEN', 65604);
    if (match[1] !== accessToken)
      throw new LinkedInHttpError(401, 'Invalid access token', 'INVALID_ACCESS_TOKEN', 65600);
  };

  /** A versioned /rest call: token, `LinkedIn-Version` and Rest.li 2.0.0. */
  const restCall = (req: FastifyRequest): void => {
    authenticate(req);
    const version = req.headers['linkedin-version'];
    if (typeof version !== 'string' || version === '') {
      throw new LinkedInHttpError(
        400,
        'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
        'VERSION_MISSING',
      );
    }
    if (!/^\d{6}(\.\d{2})?$/.test(version))
      throw new LinkedInHttpError(400, `Invalid version format ${version}`, 'INVALID_VERSION');
    if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
      throw new LinkedInHttpError(
        400,
        'This resource requires Rest.li protocol version 2.0.0 (X-Restli-Protocol-Version header)',
        'ILLEGAL_ARGUMENT',
      );
    }
  };

  /** The member may act as themself, and as the organisation pages they administer. */
  const mayActAs = (urn: unknown, what: string): string => {
    if (typeof urn !== 'string' || urn === '')
      throw new LinkedInHttpError(
        422,
        `ERROR :: /${what} :: field is required but not found and has no default value`,
        'UNPROCESSABLE_ENTITY',
      );
    if (urn === memberUrn || organizations.has(urn)) return urn;
    throw new LinkedInHttpError(
      403,
      'Not enough permissions to access: partnerApiPostsExternal.CREATE.20240101 ' +
        `(${urn} is not administered by ${memberUrn})`,
      'ACCESS_DENIED',
      100,
    );
  };

  app.get('/v2/userinfo', async (req) => {
    authenticate(req);
    const [given, ...family] = name.split(' ');
    return {
      sub,
      email_verified: email !== null,
      name,
      locale: { country: 'US', language: 'en' },
      given_name: given,
      family_name: family.join(' '),
      ...(email !== null ? { email } : {}),
      picture: `https://media.licdn.com/dms/image/${sub}/profile-displayphoto-shrink_100_100/0/`,
    };
  });

  app.get('/oauth/.well-known/openid-configuration', async () => ({
    issuer: `${baseUrl}/oauth`,
    authorization_endpoint: `${baseUrl}/oauth/v2/authorization`,
    token_endpoint: `${baseUrl}/oauth/v2/accessToken`,
    userinfo_endpoint: `${baseUrl}/v2/userinfo`,
    jwks_uri: `${baseUrl}/oauth/openid/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email'],
    claims_supported: [
      'iss',
      'aud',
      'iat',
      'exp',
      'sub',
      'name',
      'given_name',
      'family_name',
      'picture',
      'email',
      'email_verified',
      'locale',
    ],
  }));

  /** The member consents at once to what the app asks for; back to the app with a code. */
  app.get('/oauth/v2/authorization', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.client_id !== clientId)
      return reply.code(400).type('text/html').send('<p>The passed in client_id is invalid</p>');
    if (!q.redirect_uri || !URL.canParse(q.redirect_uri))
      return reply.code(400).type('text/html').send('<p>The redirect_uri does not match the registered value</p>');
    const back = new URL(q.redirect_uri);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    if (
      q.response_type !== 'code' ||
      !q.scope ||
      (q.code_challenge !== undefined && q.code_challenge_method !== 'S256')
    ) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set(
        'error_description',
        'The request is missing a required parameter or is otherwise malformed',
      );
      return reply.redirect(back.href, 302);
    }
    const code = randomBytes(24).toString('base64url');
    grants.set(code, {
      redirectUri: q.redirect_uri,
      challenge: q.code_challenge ?? null,
      scope: q.scope.split(/\s+/).filter(Boolean).join(','),
      used: false,
    });
    back.searchParams.set('code', code);
    return reply.redirect(back.href, 302);
  });

  app.post('/oauth/v2/accessToken', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (body.grant_type !== 'refresh_token' && body.grant_type !== 'authorization_code') {
      return reply
        .code(400)
        .send({ error: 'unsupported_grant_type', error_description: 'The grant type is not supported by this server' });
    }
    if (!body.client_secret)
      return reply
        .code(400)
        .send({ error: 'invalid_request', error_description: 'A required parameter "client_secret" is missing' });
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (body.grant_type === 'authorization_code') {
      const grant = grants.get(body.code ?? '');
      const verifierOk =
        grant?.challenge === null ||
        createHash('sha256')
          .update(body.code_verifier ?? '')
          .digest('base64url') === grant?.challenge;
      if (!grant || grant.used || grant.redirectUri !== body.redirect_uri || !verifierOk) {
        return reply.code(400).send({
          error: 'invalid_request',
          error_description:
            'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. ' +
            'Or authorization code expired.',
        });
      }
      grant.used = true;
      grantedScope = grant.scope;
      refreshAlive = true;
    } else if (!refreshAlive || body.refresh_token !== refreshToken) {
      return reply.code(400).send({
        error: 'invalid_grant',
        error_description: 'The provided authorization grant or refresh token is invalid, expired or revoked.',
      });
    }
    accessToken = randomBytes(24).toString('base64url');
    return {
      access_token: accessToken,
      expires_in: 5_184_000,
      ...(refreshReturnsRefreshToken || body.grant_type === 'authorization_code'
        ? { refresh_token: refreshToken, refresh_token_expires_in: 31_536_000 - 3600 }
        : {}),
      scope: grantedScope,
      token_type: 'Bearer',
    };
  });

  /** The organisation reads need the admin scope; without it LinkedIn refuses the whole call. */
  const organizationRead = (req: FastifyRequest, resource: string): void => {
    restCall(req);
    const scopes = grantedScope.split(',');
    if (!scopes.includes('r_organization_admin') && !scopes.includes('rw_organization_admin')) {
      throw new LinkedInHttpError(403, `Not enough permissions to access: ${resource}.20240101`, 'ACCESS_DENIED', 100);
    }
  };

  const ROLES = [
    'ADMINISTRATOR',
    'DIRECT_SPONSORED_CONTENT_POSTER',
    'RECRUITING_POSTER',
    'LEAD_CAPTURE_ADMINISTRATOR',
    'LEAD_GEN_FORMS_MANAGER',
    'ANALYST',
    'CURATOR',
    'CONTENT_ADMINISTRATOR',
  ];
  const STATES = ['APPROVED', 'REJECTED', 'REQUESTED', 'REVOKED'];

  app.get('/rest/organizationAcls', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.q !== 'roleAssignee')
      throw new LinkedInHttpError(
        400,
        q.q ? `Unknown finder: ${q.q}` : 'Missing required query parameter q',
        'ILLEGAL_ARGUMENT',
      );
    organizationRead(req, 'organizationAcls.FINDER-roleAssignee');
    if (q.role !== undefined && !ROLES.includes(q.role))
      throw new LinkedInHttpError(400, `Invalid value ${q.role} for query parameter role`, 'ILLEGAL_ARGUMENT');
    if (q.state !== undefined && !STATES.includes(q.state))
      throw new LinkedInHttpError(400, `Invalid value ${q.state} for query parameter state`, 'ILLEGAL_ARGUMENT');
    const start = q.start === undefined ? 0 : Number(q.start);
    const asked = q.count === undefined ? 10 : Number(q.count);
    if (!Number.isInteger(start) || start < 0 || !Number.isInteger(asked) || asked < 0)
      throw new LinkedInHttpError(400, 'Invalid paging parameters start/count', 'ILLEGAL_ARGUMENT');
    const count = Math.min(asked, aclPageSize);
    const matching = acls.filter(
      (a) => (q.role === undefined || a.role === q.role) && (q.state === undefined || a.state === q.state),
    );
    const elements = matching.slice(start, start + count).map((a) => ({
      roleAssignee: memberUrn,
      organization: a.organization,
      role: a.role,
      state: a.state,
      created: { actor: memberUrn, time: 1_700_000_000_000 },
      lastModified: { actor: memberUrn, time: 1_700_000_000_000 },
    }));
    const page = (from: number) => {
      const params = new URLSearchParams({
        q: 'roleAssignee',
        ...(q.role ? { role: q.role } : {}),
        ...(q.state ? { state: q.state } : {}),
        start: String(from),
        count: String(count),
      });
      return `/rest/organizationAcls?${params}`;
    };
    const links = [
      ...(start > 0 ? [{ type: 'application/json', rel: 'prev', href: page(Math.max(0, start - count)) }] : []),
      ...(start + count < matching.length
        ? [{ type: 'application/json', rel: 'next', href: page(start + count) }]
        : []),
    ];
    return { paging: { start, count, links, total: matching.length }, elements };
  });

  /** Rest.li 2.0 batch get: `ids=List(1,2,3)` (URL-encoded or not); each id answers in `results` or `errors`. */
  app.get('/rest/organizations', async (req) => {
    const raw = (req.query as Record<string, string | string[] | undefined>).ids;
    if (raw === undefined) throw new LinkedInHttpError(400, 'Missing required query parameter ids', 'ILLEGAL_ARGUMENT');
    const list = typeof raw === 'string' ? /^List\(([^()]*)\)$/.exec(raw)?.[1] : undefined;
    const ids = list?.split(',') ?? [];
    if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id))) {
      throw new LinkedInHttpError(
        400,
        `Invalid value for query parameter ids: ${String(raw)} (expected List(<id>,<id>…) in Rest.li protocol 2.0.0)`,
        'ILLEGAL_ARGUMENT',
      );
    }
    organizationRead(req, 'organizations.BATCH_GET');
    const results: Record<string, unknown> = {};
    const statuses: Record<string, number> = {};
    const errors: Record<string, unknown> = {};
    for (const id of ids) {
      const urn = `urn:li:organization:${id}`;
      if (organizations.has(urn)) {
        const name = organizationNames[urn] ?? `Organization ${id}`;
        results[id] = {
          id: Number(id),
          localizedName: name,
          name: { localized: { en_US: name }, preferredLocale: { country: 'US', language: 'en' } },
          vanityName: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
          primaryOrganizationType: 'NONE',
          locations: [],
        };
        statuses[id] = 200;
      } else if (acls.some((a) => a.organization === urn) || organizationNames[urn]) {
        errors[id] = { status: 403, code: 'ACCESS_DENIED', message: `Member is not an administrator of ${urn}` };
      } else {
        errors[id] = { status: 404, code: 'NOT_FOUND', message: `Organization ${id} does not exist` };
      }
    }
    return { results, statuses, errors };
  });

  app.post('/rest/images', async (req) => {
    restCall(req);
    const action = (req.query as Record<string, string | undefined>).action;
    if (action !== 'initializeUpload')
      throw new LinkedInHttpError(400, `Action '${action ?? ''}' is not supported`, 'ILLEGAL_ARGUMENT');
    const request = ((req.body ?? {}) as { initializeUploadRequest?: { owner?: unknown } }).initializeUploadRequest;
    const owner = mayActAs(request?.owner, 'initializeUploadRequest/owner');
    const id = `D4E10AQ${randomBytes(9).toString('base64url')}`;
    const image: Image = {
      urn: `urn:li:image:${id}`,
      owner,
      uploadToken: randomBytes(12).toString('hex'),
      mimeType: null,
      data: null,
    };
    images.set(image.urn, image);
    uploads.set(image.uploadToken, image);
    return {
      value: {
        uploadUrlExpiresAt: Date.now() + 24 * 3600 * 1000,
        uploadUrl:
          `${baseUrl}/dms-uploads/sp/${id}/uploaded-image/0` +
          `?ca=vector_feedshare&cn=uploads&m=AQ&app=${clientId}&sync=0&v=beta&ut=${image.uploadToken}`,
        image: image.urn,
      },
    };
  });

  app.put('/dms-uploads/sp/:id/uploaded-image/0', async (req, reply) => {
    authenticate(req);
    const image = uploads.get((req.query as Record<string, string | undefined>).ut ?? '');
    if (!image || image.data)
      return reply.code(400).send({ status: 400, code: 'ILLEGAL_ARGUMENT', message: 'Invalid upload token' });
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (data.length === 0)
      return reply.code(400).send({ status: 400, code: 'ILLEGAL_ARGUMENT', message: 'Empty upload' });
    image.data = data;
    image.mimeType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : null;
    uploads.delete(image.uploadToken);
    return reply.code(201).send();
  });

  app.get('/rest/images/:urn', async (req) => {
    restCall(req);
    const image = images.get((req.params as { urn: string }).urn);
    if (!image) throw new LinkedInHttpError(404, 'Not Found', 'NOT_FOUND');
    return {
      id: image.urn,
      owner: image.owner,
      status: image.data ? 'AVAILABLE' : 'WAITING_UPLOAD',
      downloadUrl: image.data ? `${baseUrl}/dms/image/${image.urn}` : null,
    };
  });

  const videos = new Map<string, LinkedInVideo>();
  let videoPolls = 1;

  const initializeVideo = (req: FastifyRequest) => {
    const request = ((req.body ?? {}) as { initializeUploadRequest?: { owner?: unknown; fileSizeBytes?: unknown } })
      .initializeUploadRequest;
    const owner = mayActAs(request?.owner, 'initializeUploadRequest/owner');
    const size = Number(request?.fileSizeBytes);
    if (!Number.isInteger(size) || size < LINKEDIN_VIDEO_LIMITS.minBytes || size > LINKEDIN_VIDEO_LIMITS.maxBytes)
      throw new LinkedInHttpError(
        422,
        `ERROR :: /initializeUploadRequest/fileSizeBytes :: ${String(request?.fileSizeBytes)} is not between ` +
          `${LINKEDIN_VIDEO_LIMITS.minBytes} and ${LINKEDIN_VIDEO_LIMITS.maxBytes}`,
        'UNPROCESSABLE_ENTITY',
      );
    const id = `D5605AQ${randomBytes(9).toString('base64url')}`;
    const parts: LinkedInVideo['parts'] = [];
    for (let first = 0, n = 0; first < size; first += LINKEDIN_VIDEO_PART_BYTES, n++) {
      const last = Math.min(size, first + LINKEDIN_VIDEO_PART_BYTES) - 1;
      parts.push({
        firstByte: first,
        lastByte: last,
        uploadUrl:
          `${baseUrl}/dms-uploads/sp/${id}/uploaded-video/${n}` +
          `?ca=vector_feedshare&cn=uploads&sync=0&v=beta&ut=${randomBytes(8).toString('hex')}`,
        etag: null,
        data: null,
      });
    }
    const video: LinkedInVideo = {
      urn: `urn:li:video:${id}`,
      owner,
      fileSizeBytes: size,
      parts,
      status: 'WAITING_UPLOAD',
      pollsLeft: 0,
      failed: false,
      data: null,
      durationSecs: null,
    };
    videos.set(video.urn, video);
    return {
      value: {
        uploadUrlsExpireAt: Date.now() + 24 * 3600 * 1000,
        video: video.urn,
        uploadInstructions: parts.map((p) => ({
          uploadUrl: p.uploadUrl,
          lastByte: p.lastByte,
          firstByte: p.firstByte,
        })),
        uploadToken: '',
      },
    };
  };

  const finalizeVideo = (req: FastifyRequest) => {
    const request = (
      (req.body ?? {}) as {
        finalizeUploadRequest?: { video?: unknown; uploadToken?: unknown; uploadedPartIds?: unknown };
      }
    ).finalizeUploadRequest;
    const video = typeof request?.video === 'string' ? videos.get(request.video) : undefined;
    if (!video) throw new LinkedInHttpError(404, `Video ${String(request?.video)} not found`, 'NOT_FOUND');
    mayActAs(video.owner, 'finalizeUploadRequest/video');
    const ids = Array.isArray(request?.uploadedPartIds) ? request.uploadedPartIds.map(String) : [];
    const expected = video.parts.map((p) => p.etag);
    if (video.status !== 'WAITING_UPLOAD' || ids.length !== expected.length || ids.some((id, i) => id !== expected[i]))
      throw new LinkedInHttpError(
        400,
        'Failed to finalize upload: uploadedPartIds do not match the uploaded parts',
        'ILLEGAL_ARGUMENT',
      );
    video.data = Buffer.concat(video.parts.map((p) => p.data as Buffer));
    const probe = probeVideo(video.data);
    video.durationSecs = probe?.durationSecs ?? null;
    video.status = 'PROCESSING';
    video.pollsLeft = videoPolls;
    video.failed =
      !probe ||
      probe.durationSecs < LINKEDIN_VIDEO_LIMITS.minSecs ||
      probe.durationSecs > LINKEDIN_VIDEO_LIMITS.maxSecs;
  };

  app.post('/rest/videos', async (req, reply) => {
    restCall(req);
    const action = (req.query as Record<string, string | undefined>).action;
    if (action === 'initializeUpload') return initializeVideo(req);
    if (action === 'finalizeUpload') {
      finalizeVideo(req);
      return reply.code(200).send();
    }
    throw new LinkedInHttpError(400, `Action '${action ?? ''}' is not supported`, 'ILLEGAL_ARGUMENT');
  });

  app.put('/dms-uploads/sp/:id/uploaded-video/:part', async (req, reply) => {
    authenticate(req);
    const { id, part } = req.params as { id: string; part: string };
    const video = videos.get(`urn:li:video:${id}`);
    const slot = video?.parts[Number(part)];
    if (!video || !slot || video.status !== 'WAITING_UPLOAD' || !req.url.includes(slot.uploadUrl.split('?')[1] ?? ''))
      return reply.code(400).send({ status: 400, code: 'ILLEGAL_ARGUMENT', message: 'Invalid upload URL' });
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (data.length !== slot.lastByte - slot.firstByte + 1)
      return reply.code(400).send({
        status: 400,
        code: 'ILLEGAL_ARGUMENT',
        message:
          `Part ${part} must be ${slot.lastByte - slot.firstByte + 1} bytes ` +
          `(firstByte ${slot.firstByte} to lastByte ${slot.lastByte}), got ${data.length}`,
      });
    slot.data = data;
    slot.etag = `/ambry-video/signedId/${randomBytes(12).toString('base64url')}`;
    return reply.code(200).header('etag', slot.etag).send();
  });

  app.get('/rest/videos/:urn', async (req) => {
    restCall(req);
    const video = videos.get((req.params as { urn: string }).urn);
    if (!video) throw new LinkedInHttpError(404, 'Not Found', 'NOT_FOUND');
    if (video.status === 'PROCESSING') {
      if (video.pollsLeft > 0) video.pollsLeft--;
      else video.status = video.failed ? 'PROCESSING_FAILED' : 'AVAILABLE';
    }
    return {
      id: video.urn,
      owner: video.owner,
      status: video.status,
      ...(video.durationSecs !== null ? { duration: Math.round(video.durationSecs * 1000) } : {}),
      ...(video.status === 'AVAILABLE'
        ? { downloadUrl: `${baseUrl}/dms/video/${video.urn}`, downloadUrlExpiresAt: Date.now() + 3600_000 }
        : {}),
      ...(video.status === 'PROCESSING_FAILED' ? { processingFailureReason: 'The video could not be processed' } : {}),
    };
  });

  const attached = (id: unknown, author: string, altText: unknown): LinkedInPost['media'][number] => {
    const video = typeof id === 'string' ? videos.get(id) : undefined;
    if (video) {
      if (video.status !== 'AVAILABLE')
        throw new LinkedInHttpError(
          422,
          `ERROR :: /content/media/id :: ${video.urn} is not AVAILABLE (status ${video.status})`,
          'UNPROCESSABLE_ENTITY',
        );
      if (video.owner !== author)
        throw new LinkedInHttpError(
          422,
          `ERROR :: /content/media/id :: ${video.urn} is not owned by ${author}`,
          'UNPROCESSABLE_ENTITY',
        );
      return { id: video.urn, altText: null, mimeType: 'video/mp4', data: video.data };
    }
    const image = typeof id === 'string' ? images.get(id) : undefined;
    if (!image || !image.data)
      throw new LinkedInHttpError(
        422,
        `ERROR :: /content/media/id :: ${String(id)} is not an uploaded image`,
        'UNPROCESSABLE_ENTITY',
      );
    if (image.owner !== author)
      throw new LinkedInHttpError(
        422,
        `ERROR :: /content/media/id :: ${image.urn} is not owned by ${author}`,
        'UNPROCESSABLE_ENTITY',
      );
    return {
      id: image.urn,
      altText: typeof altText === 'string' ? altText : null,
      mimeType: image.mimeType,
      data: image.data,
    };
  };

  app.post('/rest/posts', async (req, reply: FastifyReply) => {
    restCall(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const missing = ['author', 'commentary', 'visibility', 'distribution', 'lifecycleState'].filter(
      (f) => body[f] === undefined,
    );
    if (missing.length > 0) {
      throw new LinkedInHttpError(
        422,
        missing.map((f) => `ERROR :: /${f} :: field is required but not found and has no default value`).join('\n'),
        'UNPROCESSABLE_ENTITY',
      );
    }
    const author = mayActAs(body.author, 'author');
    if (typeof body.commentary !== 'string')
      throw new LinkedInHttpError(422, 'ERROR :: /commentary :: data type is not string', 'UNPROCESSABLE_ENTITY');
    if (!['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER'].includes(String(body.visibility))) {
      throw new LinkedInHttpError(
        422,
        `ERROR :: /visibility :: "${String(body.visibility)}" is not an enum symbol`,
        'UNPROCESSABLE_ENTITY',
      );
    }
    if (body.lifecycleState !== 'PUBLISHED' && body.lifecycleState !== 'DRAFT') {
      throw new LinkedInHttpError(
        422,
        `ERROR :: /lifecycleState :: "${String(body.lifecycleState)}" is not an enum symbol`,
        'UNPROCESSABLE_ENTITY',
      );
    }
    const distribution = body.distribution as { feedDistribution?: unknown } | null;
    if (!distribution || !['MAIN_FEED', 'NONE'].includes(String(distribution.feedDistribution))) {
      throw new LinkedInHttpError(
        422,
        'ERROR :: /distribution/feedDistribution :: field is required but not found and has no default value',
        'UNPROCESSABLE_ENTITY',
      );
    }
    const content = (body.content ?? null) as {
      media?: { id?: unknown; altText?: unknown };
      multiImage?: { images?: { id?: unknown; altText?: unknown }[] };
    } | null;
    const media: LinkedInPost['media'] = [];
    if (content?.media) media.push(attached(content.media.id, author, content.media.altText));
    if (content?.multiImage) {
      const list = Array.isArray(content.multiImage.images) ? content.multiImage.images : [];
      if (list.length < 2 || list.length > 20)
        throw new LinkedInHttpError(
          422,
          'ERROR :: /content/multiImage/images :: a multiImage post takes 2 to 20 images',
          'UNPROCESSABLE_ENTITY',
        );
      for (const image of list) media.push(attached(image.id, author, image.altText));
    }
    const text = renderLittleText(body.commentary);
    if (text.trim() === '' && media.length === 0)
      throw new LinkedInHttpError(422, 'ERROR :: /commentary :: commentary must not be empty', 'UNPROCESSABLE_ENTITY');
    if ([...text].length > MAX_COMMENTARY)
      throw new LinkedInHttpError(
        422,
        `ERROR :: /commentary :: length of commentary exceeds ${MAX_COMMENTARY}`,
        'UNPROCESSABLE_ENTITY',
      );
    const urn = `urn:li:share:${String(counter++)}`;
    posts.set(urn, {
      urn,
      author,
      commentary: body.commentary,
      text,
      visibility: String(body.visibility),
      createdAt: now(),
      media,
      comments: [],
    });
    return reply.code(201).header('x-restli-id', urn).header('x-linkedin-id', urn).send();
  });

  /**
   * Find Posts by Authors: `GET /rest/posts?q=author&author={urn}&count&start&sortBy`, newest first
   * (no edits here, so last modified is created), Rest.li's `elements` and `paging`.
   */
  app.get('/rest/posts', async (req) => {
    restCall(req);
    const q = req.query as Record<string, string | undefined>;
    if (q.q !== 'author') throw new LinkedInHttpError(400, `Invalid finder: ${String(q.q)}`, 'ILLEGAL_ARGUMENT');
    const author = q.author;
    if (!author) throw new LinkedInHttpError(400, 'author is required for the author finder', 'ILLEGAL_ARGUMENT');
    if (author !== memberUrn && !organizations.has(author))
      throw new LinkedInHttpError(
        403,
        `Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20240101 (${author})`,
        'ACCESS_DENIED',
        100,
      );
    if (q.sortBy !== undefined && q.sortBy !== 'LAST_MODIFIED' && q.sortBy !== 'CREATED')
      throw new LinkedInHttpError(400, `Invalid sortBy: ${q.sortBy}`, 'ILLEGAL_ARGUMENT');
    const count = Number(q.count ?? 10);
    const start = Number(q.start ?? 0);
    if (!Number.isInteger(count) || count < 1 || count > 100 || !Number.isInteger(start) || start < 0)
      throw new LinkedInHttpError(400, 'Invalid paging: count must be 1 to 100, start 0 or more', 'ILLEGAL_ARGUMENT');
    const mine = [...posts.values()].filter((p) => p.author === author).sort((a, b) => b.createdAt - a.createdAt);
    const slice = mine.slice(start, start + count);
    const links =
      start + count < mine.length
        ? [
            {
              type: 'application/json',
              rel: 'next',
              href: `/rest/posts?q=author&author=${encodeURIComponent(author)}&count=${count}&start=${start + count}`,
            },
          ]
        : [];
    return {
      elements: slice.map((p) => ({
        id: p.urn,
        author: p.author,
        commentary: p.commentary,
        visibility: p.visibility,
        lifecycleState: 'PUBLISHED',
        createdAt: p.createdAt,
        publishedAt: p.createdAt,
        lastModifiedAt: p.createdAt,
        distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
        isReshareDisabledByAuthor: false,
      })),
      paging: { start, count, links, total: mine.length },
    };
  });

  /**
   * Comments API (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api):
   * `POST /rest/socialActions/{shareUrn}/comments` with `{actor, object, message: {text}}` as the
   * member or a page they administer (201, the comment, its URN in `x-restli-id`); `GET` the same
   * path lists them with `start`/`count`. A comment's text is at most 1,250 characters.
   */
  app.post('/rest/socialActions/:urn/comments', async (req, reply: FastifyReply) => {
    restCall(req);
    const target = (req.params as { urn: string }).urn;
    const post = posts.get(target);
    if (!post) throw new LinkedInHttpError(404, `Not Found: ${target}`, 'NOT_FOUND');
    const body = (req.body ?? {}) as { actor?: unknown; object?: unknown; message?: { text?: unknown } };
    const actor = mayActAs(body.actor, 'actor');
    if (body.object !== target)
      throw new LinkedInHttpError(
        422,
        'ERROR :: /object :: must be the entity the comment is on',
        'UNPROCESSABLE_ENTITY',
      );
    const text = body.message?.text;
    if (typeof text !== 'string' || text.trim() === '')
      throw new LinkedInHttpError(
        422,
        'ERROR :: /message/text :: field is required but not found and has no default value',
        'UNPROCESSABLE_ENTITY',
      );
    if ([...text].length > MAX_COMMENT)
      throw new LinkedInHttpError(
        422,
        `ERROR :: /message/text :: length of comment exceeds ${MAX_COMMENT}`,
        'UNPROCESSABLE_ENTITY',
      );
    const id = String(counter++);
    const comment: LinkedInComment = {
      urn: `urn:li:comment:(urn:li:activity:${target.split(':').at(-1)},${id})`,
      id,
      actor,
      text,
      createdAt: now(),
    };
    post.comments.push(comment);
    return reply.code(201).header('x-restli-id', comment.urn).send(commentJson(post, comment));
  });

  app.get('/rest/socialActions/:urn/comments', async (req) => {
    restCall(req);
    const target = (req.params as { urn: string }).urn;
    const post = posts.get(target);
    if (!post) throw new LinkedInHttpError(404, `Not Found: ${target}`, 'NOT_FOUND');
    const q = req.query as Record<string, string | undefined>;
    const count = Number(q.count ?? 10);
    const start = Number(q.start ?? 0);
    if (!Number.isInteger(count) || count < 1 || count > 100 || !Number.isInteger(start) || start < 0)
      throw new LinkedInHttpError(400, 'Invalid paging: count must be 1 to 100, start 0 or more', 'ILLEGAL_ARGUMENT');
    return {
      elements: post.comments.slice(start, start + count).map((c) => commentJson(post, c)),
      paging: { start, count, total: post.comments.length, links: [] },
    };
  });

  const commentJson = (post: LinkedInPost, c: LinkedInComment) => ({
    id: c.id,
    $URN: c.urn,
    actor: c.actor,
    object: post.urn,
    message: { text: c.text, attributes: [] },
    created: { actor: c.actor, time: c.createdAt },
    lastModified: { actor: c.actor, time: c.createdAt },
  });

  app.get('/rest/posts/:urn', async (req) => {
    restCall(req);
    const post = posts.get((req.params as { urn: string }).urn);
    if (!post) throw new LinkedInHttpError(404, 'Not Found', 'NOT_FOUND');
    return {
      id: post.urn,
      author: post.author,
      commentary: post.commentary,
      visibility: post.visibility,
      lifecycleState: 'PUBLISHED',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      isReshareDisabledByAuthor: false,
      ...(post.media.length === 1 ? { content: { media: { id: post.media[0]?.id } } } : {}),
      ...(post.media.length > 1 ? { content: { multiImage: { images: post.media.map((m) => ({ id: m.id })) } } } : {}),
    };
  });

  app.delete('/rest/posts/:urn', async (req, reply) => {
    restCall(req);
    const post = posts.get((req.params as { urn: string }).urn);
    if (!post) throw new LinkedInHttpError(404, 'Not Found', 'NOT_FOUND');
    if (post.author !== memberUrn && !organizations.has(post.author))
      throw new LinkedInHttpError(403, 'Not enough permissions to delete this post', 'ACCESS_DENIED', 100);
    posts.delete(post.urn);
    return reply.code(204).send();
  });

  const baseUrl = await listenOnLoopback(app);

  return {
    url: baseUrl,
    clientId,
    clientSecret,
    sub,
    get accessToken() {
      return accessToken;
    },
    get refreshToken() {
      return refreshToken;
    },
    posts: () =>
      [...posts.values()].map((p) => ({
        ...p,
        media: p.media.map((m) => ({ ...m })),
        comments: p.comments.map((c) => ({ ...c })),
      })),
    addPost: (post) => {
      const urn = `urn:li:share:${String(counter++)}`;
      posts.set(urn, {
        urn,
        author: post.author ?? memberUrn,
        commentary: post.commentary,
        text: renderLittleText(post.commentary),
        visibility: 'PUBLIC',
        createdAt: post.createdAt ?? now(),
        media: [],
        comments: [],
      });
      return urn;
    },
    setNow: (fn) => void (now = fn),
    requests: () => [...requests],
    requestUrls: () => [...requestUrls],
    get grantedScope() {
      return grantedScope;
    },
    revokeRefreshToken: () => void (refreshAlive = false),
    setLatency: (ms) => void (latencyMs = ms),
    failNext: (status, headers = {}, message) => void failures.push({ status, headers, message }),
    failNextOn: (path, status, headers = {}, message) => void failures.push({ status, headers, message, path }),
    video: (urn) => videos.get(urn),
    setVideoProcessingPolls: (polls) => void (videoPolls = polls),
    close: () => app.close(),
  };
}
