import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import {
  answerError,
  clipErrorText,
  parseJson as parseBody,
  platformUrl,
  sendToPlatform,
  unexpectedAnswer,
} from '../http';
import { refreshedTokens, refreshGrantForm } from '../token-answer';
import {
  PlatformError,
  type MediaUpload,
  type OrganizationPage,
  type PlatformAccount,
  type PlatformAdapter,
  type PlatformClient,
  type PlatformLimits,
  type TokenSet,
  isVideo,
} from '../types';

/*
 * LinkedIn's versioned REST API (https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api),
 * spoken with Node's own fetch: `POST /rest/posts`, `DELETE /rest/posts/{urn}`,
 * `POST /rest/images?action=initializeUpload` then a PUT of the bytes, a video through the Videos API
 * (`POST /rest/videos?action=initializeUpload`, a PUT per part from its upload instructions, each
 * answering an ETag, `finalizeUpload` with the ETags in order, then `GET /rest/videos/{urn}` until
 * AVAILABLE: https://learn.microsoft.com/linkedin/marketing/community-management/shares/videos-api), the OpenID Connect
 * `GET /v2/userinfo`, the OAuth token endpoint for refreshes, and for "post as" the pages a member
 * administers: `GET /rest/organizationAcls?q=roleAssignee` (Organization Access Control by Role),
 * named through the batch `GET /rest/organizations?ids=List(…)` (Organization Lookup), and after a
 * crash the author's own posts, `GET /rest/posts?q=author&author={urn}&sortBy=LAST_MODIFIED`. Every /rest
 * call carries `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`; every call has a 30 s
 * timeout and every failure becomes a classified PlatformError.
 */

export const LINKEDIN_API_BASE = 'https://api.linkedin.com';
/** LinkedIn's token endpoint lives on www, not api; an overridden API base (tests) serves it itself. */
const LINKEDIN_TOKEN_URL = 'https://www.linkedin.com/oauth/v2/accessToken';
/** The monthly API version (YYYYMM). LinkedIn keeps a version for about a year: move it on before it is sunset. */
export const LINKEDIN_VERSION = '202610';
/** Rows asked for per organizationAcls page; LinkedIn may answer with fewer and says so in `paging`. */
const ACL_PAGE_SIZE = 100;
/** A guard against a paging answer that never ends: 100 pages of ACLs is far beyond any member. */
const MAX_ACL_PAGES = 100;
/** Ids per batch GET of /rest/organizations, to keep the URL short. */
const ORGANIZATIONS_PER_BATCH = 50;
/** Posts per page when looking for one after a crash (LinkedIn allows up to 100). */
const POSTS_PAGE_SIZE = 50;
/** Pages followed at most; more posts than this since a crash is refused, not guessed. */
const MAX_POSTS_PAGES = 20;
const ORGANIZATION_URN = /^urn:li:organization:(\d+)$/;

export const linkedinLimits: PlatformLimits = Object.freeze({
  maxTextLength: PLATFORM_RULES.linkedin.maxTextLength,
  maxImages: PLATFORM_RULES.linkedin.maxImages,
  maxImageBytes: PLATFORM_RULES.linkedin.maxImageBytes,
  imageTypes: PLATFORM_RULES.linkedin.imageTypes,
  mediaRequired: PLATFORM_RULES.linkedin.mediaRequired,
});

type Json = Record<string, unknown>;

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  /** What Postroom was doing, for the error message ("publish the post"). */
  what: string;
  token?: string;
  /** A versioned /rest endpoint: send the version headers. */
  rest?: boolean;
  json?: unknown;
  form?: Record<string, string>;
  bytes?: { data: Buffer; mimeType: string };
  /** The OAuth token endpoint: a dead refresh token means a person must reconnect. */
  tokenEndpoint?: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  data: Json;
}

function endpoint(baseUrl: string, path: string): URL {
  return platformUrl('the LinkedIn API address', baseUrl || LINKEDIN_API_BASE, path);
}

function tokenUrl(client: PlatformClient): URL {
  const base = (client.apiBaseUrl || LINKEDIN_API_BASE).replace(/\/+$/, '');
  return base === LINKEDIN_API_BASE ? new URL(LINKEDIN_TOKEN_URL) : endpoint(base, '/oauth/v2/accessToken');
}

async function liCall(c: Call): Promise<Answer> {
  const headers = new Headers({ Accept: 'application/json' });
  if (c.token) headers.set('Authorization', `Bearer ${c.token}`);
  if (c.rest) {
    headers.set('LinkedIn-Version', LINKEDIN_VERSION);
    headers.set('X-Restli-Protocol-Version', '2.0.0');
  }
  let body: RequestInit['body'];
  if (c.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(c.json);
  } else if (c.form) {
    body = new URLSearchParams(c.form);
  } else if (c.bytes) {
    headers.set('Content-Type', c.bytes.mimeType);
    body = new Uint8Array(c.bytes.data);
  }
  const { res, text } = await sendToPlatform('LinkedIn', c.what, c.url, { method: c.method, headers, body });
  const data = parseJson(text);
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, data };
  throw httpError(res, data, c);
}

/** LinkedIn's answers are objects; anything else reads as an empty one. */
function parseJson(text: string): Json {
  const value = parseBody(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** LinkedIn's own words: `message` on the REST API, `error`/`error_description` on OAuth, else the HTTP reason. */
function errorText(data: Json, res: Response): string {
  const message = str(data, 'message');
  const error = str(data, 'error');
  const description = str(data, 'error_description');
  const oauth = error && description ? `${error}: ${description}` : (error ?? description);
  const text = message ?? oauth ?? (res.statusText || 'no reason given');
  return clipErrorText(text);
}

function httpError(res: Response, data: Json, c: Call): PlatformError {
  // At the token endpoint, a refresh token that expired (a year after the consent) or was revoked:
  // `invalid_grant`, or `invalid_request` saying so. A wrong client secret (`invalid_client`) is the
  // app's setup, not the grant. Elsewhere a 401 is a token LinkedIn no longer takes.
  const error = str(data, 'error');
  const deadConnection = c.tokenEndpoint
    ? error === 'invalid_grant' ||
      (error === 'invalid_request' && /refresh token|expired|revoked/i.test(str(data, 'error_description') ?? ''))
    : res.status === 401;
  const answer = { status: res.status, headers: res.headers, text: errorText(data, res), deadConnection };
  return answerError('LinkedIn', c.what, answer, null);
}

function str(rec: Json | null | undefined, key: string): string | null {
  const v = rec?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function asRecord(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

/**
 * Commentary is "little" text: `| { } @ [ ] ( ) < > # \ * _ ~` are markup and must be escaped,
 * or LinkedIn cuts the post short at the first one. A `#word` is kept as a hashtag.
 */
export function toLittleText(text: string): string {
  return text.replace(/((?<![\p{L}\p{N}])#(?=[\p{L}\p{N}]))|[|{}@[\]()<>#\\*_~]/gu, (c, hashtag?: string) =>
    hashtag ? c : `\\${c}`,
  );
}

/**
 * An upload URL may be LinkedIn's (it wants the token there too) or the API's own host;
 * nothing else gets the token.
 */
function trustedUploadUrl(uploadUrl: URL, client: PlatformClient): boolean {
  const api = endpoint(client.apiBaseUrl, '/');
  if (uploadUrl.origin === api.origin) return true;
  return (
    uploadUrl.protocol === 'https:' &&
    (uploadUrl.hostname === 'linkedin.com' || uploadUrl.hostname.endsWith('.linkedin.com'))
  );
}

/**
 * Reads a LinkedIn collection page by page (`query` with the page's `count`/`start`, POSTS_PAGE_SIZE
 * a page, at most MAX_POSTS_PAGES) until `scan` decides: what it found, or null when it says the rest is older or a
 * page comes back short (the last); `undefined` when the pages ran out first (a person checks).
 * `scan` answers `undefined` to read on.
 */
async function findInPages<T>(
  tokens: TokenSet,
  url: URL,
  query: (paging: { count: string; start: string }) => Record<string, string>,
  what: string,
  scan: (elements: Json[]) => T | null | undefined,
): Promise<T | null | undefined> {
  for (let page = 0; page < MAX_POSTS_PAGES; page++) {
    const paging = { count: String(POSTS_PAGE_SIZE), start: String(page * POSTS_PAGE_SIZE) };
    url.search = new URLSearchParams(query(paging)).toString();
    const { data } = await liCall({ method: 'GET', url, what, token: tokens.accessToken, rest: true });
    const elements = Array.isArray(data.elements)
      ? data.elements.map(asRecord).filter((e): e is Json => e !== null)
      : [];
    const found = scan(elements);
    if (found !== undefined) return found;
    if (elements.length < POSTS_PAGE_SIZE) return null;
  }
  return undefined;
}

async function profile(client: PlatformClient, tokens: TokenSet): Promise<PlatformAccount> {
  const what = 'read the account';
  const { data } = await liCall({
    method: 'GET',
    url: endpoint(client.apiBaseUrl, '/v2/userinfo'),
    what,
    token: tokens.accessToken,
  });
  const sub = str(data, 'sub');
  if (!sub) throw unexpectedAnswer('LinkedIn', what, 'account id', 'refuse');
  const fullName = [str(data, 'given_name'), str(data, 'family_name')].filter(Boolean).join(' ');
  return { accountId: sub, handle: str(data, 'email') ?? sub, displayName: str(data, 'name') ?? (fullName || sub) };
}

/** What LinkedIn granted (it reports the scope comma-separated), or null when the tokens do not say. */
function grantedScope(tokens: TokenSet): Set<string> | null {
  return tokens.scope ? new Set(tokens.scope.split(/[\s,]+/).filter(Boolean)) : null;
}

/** The member (`urn:li:person:<sub>`, from the OIDC userinfo) or the organisation page to post as. */
async function authorOf(client: PlatformClient, tokens: TokenSet, postAs: string | undefined): Promise<string> {
  if (postAs) {
    if (!/^urn:li:organization:\d+$/.test(postAs)) {
      throw new PlatformError(`"${postAs}" is not a LinkedIn organisation page (urn:li:organization:<id>)`, false);
    }
    // Known before calling: a sign-in without the page scope cannot post as a page (LinkedIn would
    // answer 403). The scope is what LinkedIn granted, so this is a person's fix, not a retry.
    if (grantedScope(tokens)?.has('w_organization_social') === false) {
      throw new PlatformError(
        'this LinkedIn sign-in may not post as an organisation page; ' +
          'turn on organisation pages in the LinkedIn integration and reconnect the account',
        false,
      );
    }
    return postAs;
  }
  return `urn:li:person:${(await profile(client, tokens)).accountId}`;
}

/**
 * The organisation pages the member administers (role ADMINISTRATOR, APPROVED), every page of
 * LinkedIn's paging followed, named by a batch lookup of the organisations. Read-only: a failure
 * is safe to try again when LinkedIn says so (5xx, 429, network).
 */
async function pages(client: PlatformClient, tokens: TokenSet): Promise<OrganizationPage[]> {
  // Known before calling: without the admin scope LinkedIn answers 403. The scope is what LinkedIn
  // granted at sign-in, so this is a person's fix (turn the pages on, reconnect), not a retry.
  const scope = grantedScope(tokens);
  if (scope && !scope.has('r_organization_admin') && !scope.has('rw_organization_admin')) {
    throw new PlatformError(
      'this LinkedIn sign-in may not list organisation pages; ' +
        'turn on organisation pages in the LinkedIn integration and reconnect the account',
      false,
    );
  }
  const what = 'list the organisation pages';
  const ids: string[] = [];
  let start = 0;
  for (let round = 0; round < MAX_ACL_PAGES; round++) {
    const query = new URLSearchParams({
      q: 'roleAssignee',
      role: 'ADMINISTRATOR',
      state: 'APPROVED',
      start: String(start),
      count: String(ACL_PAGE_SIZE),
    });
    const { data } = await liCall({
      method: 'GET',
      url: endpoint(client.apiBaseUrl, `/rest/organizationAcls?${query}`),
      what,
      token: tokens.accessToken,
      rest: true,
    });
    if (!Array.isArray(data.elements)) throw unexpectedAnswer('LinkedIn', what, 'elements', 'refuse');
    const elements = data.elements.map(asRecord);
    for (const acl of elements) {
      // The finder filters already; a row of another role or state (or not an organisation) is not offered.
      const id = ORGANIZATION_URN.exec(str(acl, 'organization') ?? '')?.[1];
      if (id && str(acl, 'role') === 'ADMINISTRATOR' && str(acl, 'state') === 'APPROVED' && !ids.includes(id))
        ids.push(id);
    }
    if (elements.length === 0) break;
    start += elements.length;
    const paging = asRecord(data.paging);
    const total = paging?.total;
    const links = Array.isArray(paging?.links) ? paging.links.map(asRecord) : null;
    const count = typeof paging?.count === 'number' && paging.count > 0 ? paging.count : ACL_PAGE_SIZE;
    // LinkedIn says where the end is by `total`, by a `next` link, or (neither given) by a short page.
    if (typeof total === 'number') {
      if (start >= total) break;
    } else if (links) {
      if (!links.some((l) => str(l, 'rel') === 'next')) break;
    } else if (elements.length < count) {
      break;
    }
  }
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += ORGANIZATIONS_PER_BATCH) {
    const batch = ids.slice(i, i + ORGANIZATIONS_PER_BATCH);
    // Rest.li 2.0 batch get: `ids=List(1,2)`, parentheses and commas as they are.
    const { data } = await liCall({
      method: 'GET',
      url: endpoint(client.apiBaseUrl, `/rest/organizations?ids=List(${batch.join(',')})`),
      what,
      token: tokens.accessToken,
      rest: true,
    });
    const results = asRecord(data.results);
    for (const id of batch) {
      const organization = asRecord(results?.[id]);
      const localized = Object.values(asRecord(asRecord(organization?.name)?.localized) ?? {}).find(
        (v): v is string => typeof v === 'string' && v !== '',
      );
      const name = str(organization, 'localizedName') ?? localized;
      if (name) names.set(id, name);
    }
  }
  // A page LinkedIn would not name (an error for that id) is still one the member administers.
  return ids.map((id) => ({ id: `urn:li:organization:${id}`, name: names.get(id) ?? `Organisation page ${id}` }));
}

/** A LinkedIn upload address, refused unless it is an http(s) URL (it comes from LinkedIn's answer). */
function uploadAddress(raw: string | null, what: string): URL {
  const url = raw && URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new PlatformError(`LinkedIn gave an invalid upload address while trying to ${what}`, true);
  return url;
}

async function uploadImage(
  client: PlatformClient,
  token: string,
  owner: string,
  media: MediaUpload,
  index: number,
): Promise<string> {
  const what = `upload image ${index + 1}`;
  const init = await liCall({
    method: 'POST',
    url: endpoint(client.apiBaseUrl, '/rest/images?action=initializeUpload'),
    what,
    token,
    rest: true,
    json: { initializeUploadRequest: { owner } },
  });
  const value = asRecord(init.data.value);
  const uploadUrl = str(value, 'uploadUrl');
  const image = str(value, 'image');
  // Nothing is posted yet: trying again is safe.
  if (!uploadUrl || !image) throw unexpectedAnswer('LinkedIn', what, 'upload address', 'retry');
  const url = uploadAddress(uploadUrl, what);
  await liCall({
    method: 'PUT',
    url,
    what,
    token: trustedUploadUrl(url, client) ? token : undefined,
    bytes: { data: media.data, mimeType: media.mimeType },
  });
  return image;
}

/** Reads of a video's status at most while LinkedIn processes it, and the wait between them. */
const VIDEO_STATUS_DELAYS_MS = [1000, 2000, 3000, 5000, 5000, 10_000, 10_000, 15_000, 15_000, 30_000, 30_000, 60_000];

/**
 * One video through the Videos API, owned by the author; its URN once LinkedIn has processed it.
 * A cut upload starts again from initializeUpload on the next attempt: a video no post uses is
 * never shown, so nothing is posted twice.
 */
async function uploadVideo(
  client: PlatformClient,
  token: string,
  owner: string,
  media: MediaUpload,
  index: number,
  delays: readonly number[],
): Promise<string> {
  const what = `upload video ${index + 1}`;
  const videos = (action: string) => endpoint(client.apiBaseUrl, `/rest/videos?action=${action}`);
  const init = await liCall({
    method: 'POST',
    url: videos('initializeUpload'),
    what,
    token,
    rest: true,
    json: {
      initializeUploadRequest: {
        owner,
        fileSizeBytes: media.data.length,
        uploadCaptions: false,
        uploadThumbnail: false,
      },
    },
  });
  const value = asRecord(init.data.value);
  const video = str(value, 'video');
  const instructions = Array.isArray(value?.uploadInstructions) ? value.uploadInstructions.map(asRecord) : [];
  if (!video || instructions.length === 0) throw unexpectedAnswer('LinkedIn', what, 'upload instructions', 'retry');
  const etags: string[] = [];
  for (const part of instructions) {
    const url = uploadAddress(str(part, 'uploadUrl'), what);
    const first = part?.firstByte;
    const last = part?.lastByte;
    if (typeof first !== 'number' || typeof last !== 'number' || first < 0 || last < first || last >= media.data.length)
      throw new PlatformError(`LinkedIn gave an unexpected part to upload while trying to ${what}`, true);
    const answer = await liCall({
      method: 'PUT',
      url,
      what,
      token: trustedUploadUrl(url, client) ? token : undefined,
      bytes: { data: media.data.subarray(first, last + 1), mimeType: 'application/octet-stream' },
    });
    const etag = answer.headers.get('etag');
    if (!etag) throw new PlatformError(`LinkedIn did not acknowledge a part while trying to ${what}`, true);
    etags.push(etag);
  }
  await liCall({
    method: 'POST',
    url: videos('finalizeUpload'),
    what,
    token,
    rest: true,
    json: { finalizeUploadRequest: { video, uploadToken: str(value, 'uploadToken') ?? '', uploadedPartIds: etags } },
  });
  for (const delay of delays) {
    await sleep(delay);
    const { data } = await liCall({
      method: 'GET',
      url: endpoint(client.apiBaseUrl, `/rest/videos/${encodeURIComponent(video)}`),
      what: `check video ${index + 1}`,
      token,
      rest: true,
    });
    const status = str(data, 'status');
    if (status === 'AVAILABLE') return video;
    if (status === 'PROCESSING_FAILED')
      throw new PlatformError(
        `LinkedIn could not process video ${index + 1}: ${str(data, 'processingFailureReason') ?? 'no reason given'}`,
        false,
      );
  }
  throw new PlatformError(`LinkedIn is still processing video ${index + 1}; publishing will be tried again`, true);
}

export interface LinkedInAdapterOptions {
  /** Waits between reads of a video's status (tests make them short). */
  videoStatusDelaysMs?: readonly number[];
}

export function createLinkedInAdapter(options: LinkedInAdapterOptions = {}): PlatformAdapter {
  const videoDelays = options.videoStatusDelaysMs ?? VIDEO_STATUS_DELAYS_MS;
  return {
    platform: 'linkedin',
    limits: linkedinLimits,

    profile,
    pages,

    async refresh(client, tokens) {
      if (!tokens.refreshToken) {
        // Apps without LinkedIn's programmatic refresh get a 60-day token only: then the member reconnects.
        if (tokens.expiresAt && Date.parse(tokens.expiresAt) <= Date.now()) {
          throw new PlatformError(
            "LinkedIn's sign-in has expired and LinkedIn gave no refresh token; reconnect the account",
            false,
            null,
            null,
            true,
          );
        }
        return tokens;
      }
      const what = "refresh the connection's tokens";
      const form = refreshGrantForm(client, tokens.refreshToken);
      const { data } = await liCall({ method: 'POST', url: tokenUrl(client), what, form, tokenEndpoint: true });
      const accessToken = str(data, 'access_token');
      if (!accessToken) throw unexpectedAnswer('LinkedIn', what, 'access token', 'reconnect');
      // LinkedIn's refresh token keeps its one-year life; an answer without one keeps the one we had.
      return refreshedTokens(accessToken, data, tokens);
    },

    /**
     * LinkedIn accepts no idempotency key: a repeated `POST /rest/posts` makes a second post, so the
     * scheduler treats LinkedIn like X and never repeats a call whose outcome it does not know.
     */
    async publish(client, tokens, post) {
      const video = post.media.find(isVideo);
      if (video && post.media.length > 1)
        throw new PlatformError('LinkedIn posts take one video, or images, not both', false);
      if (post.media.length > linkedinLimits.maxImages) {
        throw new PlatformError(`LinkedIn takes at most ${linkedinLimits.maxImages} images in a post`, false);
      }
      post.media.forEach((m, i) => {
        if (!isVideo(m) && !linkedinLimits.imageTypes.includes(m.mimeType))
          throw new PlatformError(`LinkedIn does not take image ${i + 1} (${m.mimeType})`, false);
      });
      const author = await authorOf(client, tokens, post.postAs);
      // Media belong to the author: an organisation's post needs the organisation's images and video.
      const images: { id: string; altText?: string }[] = [];
      for (const [index, media] of video ? [] : post.media.entries()) {
        const id = await uploadImage(client, tokens.accessToken, author, media, index);
        images.push(media.altText ? { id, altText: media.altText } : { id });
      }
      const content = video
        ? { media: { id: await uploadVideo(client, tokens.accessToken, author, video, 0, videoDelays) } }
        : images.length === 1
          ? { media: images[0] }
          : images.length > 1
            ? { multiImage: { images } }
            : undefined;
      const what = 'publish the post';
      const answer = await liCall({
        method: 'POST',
        url: endpoint(client.apiBaseUrl, '/rest/posts'),
        what,
        token: tokens.accessToken,
        rest: true,
        json: {
          author,
          commentary: toLittleText(post.text),
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
          ...(content ? { content } : {}),
        },
      });
      const urn = answer.headers.get('x-restli-id')?.trim() || str(answer.data, 'id');
      // The post exists but its id is unknown: trying again would post it twice.
      if (!urn)
        throw new PlatformError(
          'LinkedIn published the post but did not say its id; check the page before posting again',
          false,
          answer.status,
        );
      return { postId: urn, url: `https://www.linkedin.com/feed/update/${urn}/` };
    },

    /**
     * The author's post whose `commentary` is exactly the little text Postroom sends for this text
     * (`toLittleText`), created since `since`: `GET /rest/posts?q=author`, newest change first, paged
     * with `start`/`count` until the posts are older than `since`. Reading a member's own posts needs
     * LinkedIn's `r_member_social` (a page's: `r_organization_social`); a refusal is a person's check.
     */
    async findPublished(client, tokens, request) {
      const author = await authorOf(client, tokens, request.postAs);
      const want = toLittleText(request.text);
      const since = request.since.getTime();
      const found = await findInPages(
        tokens,
        endpoint(client.apiBaseUrl, '/rest/posts'),
        (paging) => ({ author, q: 'author', ...paging, sortBy: 'LAST_MODIFIED' }),
        'check whether the post went out',
        (elements) => {
          let older = false;
          for (const post of elements) {
            const created =
              typeof post.createdAt === 'number'
                ? post.createdAt
                : typeof post.publishedAt === 'number'
                  ? post.publishedAt
                  : null;
            const modified = typeof post.lastModifiedAt === 'number' ? post.lastModifiedAt : created;
            // Sorted by last change, newest first: once changes are older than `since`, so are creations.
            if (modified !== null && modified < since) older = true;
            if (created !== null && created < since) continue;
            const id = str(post, 'id');
            if (id && post.commentary === want)
              return { postId: id, url: `https://www.linkedin.com/feed/update/${id}/` };
          }
          return older ? null : undefined;
        },
      );
      if (found !== undefined) return found;
      throw new PlatformError(
        `LinkedIn shows more than ${MAX_POSTS_PAGES * POSTS_PAGE_SIZE} posts since this one was attempted; ` +
          'check by hand whether it went out',
        false,
      );
    },

    /**
     * The first comment, by the post's author (the member or the page), through the Comments API:
     * `POST /rest/socialActions/{postUrn}/comments` with `{actor, object, message: {text}}`; its
     * URN comes back in `x-restli-id` (or the body's `$URN`).
     */
    async comment(client, tokens, request) {
      const actor = await authorOf(client, tokens, request.postAs);
      const answer = await liCall({
        method: 'POST',
        url: endpoint(client.apiBaseUrl, `/rest/socialActions/${encodeURIComponent(request.postId)}/comments`),
        what: 'add the first comment',
        token: tokens.accessToken,
        rest: true,
        json: { actor, object: request.postId, message: { text: request.text } },
      });
      const urn = answer.headers.get('x-restli-id')?.trim() || str(answer.data, '$URN') || str(answer.data, 'id');
      if (!urn)
        throw new PlatformError(
          'LinkedIn added the first comment but did not say its id; check the post before adding it again',
          false,
          answer.status,
        );
      return { postId: urn, url: commentUrl(request.postId, urn) };
    },

    /** The author's comment with exactly this text under the post, made since `since` (`GET …/comments`, paged). */
    async findComment(client, tokens, request) {
      const actor = await authorOf(client, tokens, request.postAs);
      const found = await findInPages(
        tokens,
        endpoint(client.apiBaseUrl, `/rest/socialActions/${encodeURIComponent(request.postId)}/comments`),
        (paging) => paging,
        'check whether the first comment went out',
        (elements) => {
          for (const c of elements) {
            const created = asRecord(c.created)?.time;
            if (typeof created === 'number' && created < request.since.getTime()) continue;
            const urn = str(c, '$URN') ?? str(c, 'id');
            if (urn && c.actor === actor && asRecord(c.message)?.text === request.text)
              return { postId: urn, url: commentUrl(request.postId, urn) };
          }
          return undefined;
        },
      );
      if (found !== undefined) return found;
      throw new PlatformError(
        `LinkedIn shows more than ${MAX_POSTS_PAGES * POSTS_PAGE_SIZE} comments under the post; ` +
          'check by hand whether the first comment went out',
        false,
      );
    },

    async remove(client, tokens, postId) {
      try {
        await liCall({
          method: 'DELETE',
          url: endpoint(client.apiBaseUrl, `/rest/posts/${encodeURIComponent(postId)}`),
          what: 'delete the post',
          token: tokens.accessToken,
          rest: true,
        });
      } catch (err) {
        // Already gone: deleting is idempotent.
        if (err instanceof PlatformError && err.status === 404) return;
        throw err;
      }
    },
  };
}

/** A comment's link: the post's page, opened at the comment (`commentUrn`), as LinkedIn links one. */
const commentUrl = (postUrn: string, commentUrn: string) =>
  `https://www.linkedin.com/feed/update/${postUrn}/?commentUrn=${encodeURIComponent(commentUrn)}`;

export const linkedinAdapter = createLinkedInAdapter();
