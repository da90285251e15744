import { setTimeout as sleep } from 'node:timers/promises';
import { unexpectedAnswer } from './http';
import { asRecord, graphCall, graphTimeMs, graphUrl, nextPage, str, type GraphAnswer, type Json } from './meta-graph';
import { expiresAtOf } from './token-answer';
import {
  PlatformError,
  type FindPublishedRequest,
  type MediaUpload,
  type PlatformClient,
  type PublishedPost,
  type TokenSet,
} from './types';

/*
 * What Instagram, Threads and Facebook Pages do the same way on Meta's Graph APIs, so each adapter
 * keeps only what is its own: versioned paths on the client's API base, media containers made,
 * waited for and published (Instagram
 * https://developers.facebook.com/docs/instagram-platform/content-publishing/, Threads
 * https://developers.facebook.com/docs/threads/posts), the self-renewing long-lived token
 * (`ig_refresh_token`, `th_refresh_token`), the account's own posts since a time (how a post is
 * found after a crash, as none of them takes an idempotency key), the publishing allowance, the
 * permalink, comments and deletes.
 */

/**
 * Which fields a platform's container status read names: Instagram `status_code` + `status`,
 * Threads `status` + `error_message`.
 */
export interface ContainerStatusFields {
  status: string;
  reason: string;
}

/** One edge of the account's own posts, read newest first since a time, for `findOwnPost`. */
export interface OwnPostsEdge {
  /** `/me/media`, `/me/threads`, `/<PAGE_ID>/published_posts`. */
  path: string;
  fields: string;
  /** The field holding the post's text (`caption`, `text`, `message`) and its time (`timestamp`, `created_time`). */
  textField: string;
  timeField: string;
  /** The post as Postroom records it, from one matching item. */
  toPost(item: Json, id: string): PublishedPost;
  /** Whether a matching text is the one looked for besides (a thread's part: the reply to its parent). */
  matches?(item: Json): boolean;
}

/** The MIME types a platform takes as images and as videos. */
export interface MediaTypes {
  image: readonly string[];
  video: readonly string[];
}

/** Posts read per page when looking for a post after a crash, and pages read at most. */
const OWN_POSTS_PAGE_SIZE = 50;
const MAX_OWN_POSTS_PAGES = 10;

export type MetaAccount = ReturnType<typeof metaAccount>;

/**
 * The Graph calls one Meta platform shares with the others: `platform` names it in errors,
 * `defaultBase` is its API host (a client's `apiBaseUrl` overrides it, in tests), `version` its
 * path prefix.
 */
export function metaAccount(platform: string, defaultBase: string, version: string) {
  const base = (client: Pick<PlatformClient, 'apiBaseUrl'>) => client.apiBaseUrl || defaultBase;
  /** `path` under the API's version on the client's base. */
  const url = (client: Pick<PlatformClient, 'apiBaseUrl'>, path: string) =>
    graphUrl(platform, base(client), `/${version}${path}`);
  const call = (
    client: PlatformClient,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    what: string,
    token: string,
    params?: Record<string, string>,
  ): Promise<GraphAnswer> => graphCall({ platform, method, url: url(client, path), what, token, params });

  /** An id from an answer, or the unexpected-answer error (retryable while nothing is visible yet). */
  const idOf = (data: Json, what: string, noun: string, retryable: boolean): string => {
    const id = str(data, 'id');
    if (!id)
      throw new PlatformError(`${platform} gave an unexpected answer (no ${noun}) while trying to ${what}`, retryable);
    return id;
  };

  return {
    platform,
    base,
    url,
    call,

    /**
     * The sign-in window: `production` for the platform's own API base, `path` on an overridden
     * base (the tests' local server serves the dialog itself).
     */
    signInWindow:
      (production: string, path: string) =>
      (client: { apiBaseUrl: string }): string =>
        base(client) === defaultBase ? production : `${base(client).replace(/\/+$/, '')}${path}`,

    /** A file as an image or a video by its MIME type; any other type is refused, saying what is `accepted`. */
    mediaKind(media: MediaUpload, index: number, types: MediaTypes, accepted: string): 'image' | 'video' {
      if (types.image.includes(media.mimeType)) return 'image';
      if (types.video.includes(media.mimeType)) return 'video';
      throw new PlatformError(`${platform} does not take file ${index + 1} (${media.mimeType}): ${accepted}`, false);
    },

    /**
     * Renews a self-renewing long-lived token (the same token, 60 more days; the call is unversioned).
     * An expired one cannot be renewed: a person reconnects.
     */
    async renewLongLivedToken(client: PlatformClient, tokens: TokenSet, grantType: string, expired: string) {
      if (tokens.expiresAt && Date.parse(tokens.expiresAt) <= Date.now())
        throw new PlatformError(expired, false, null, null, true);
      const what = "refresh the connection's token";
      const { data } = await graphCall({
        platform,
        method: 'GET',
        url: graphUrl(platform, base(client), '/refresh_access_token'),
        what,
        params: { grant_type: grantType, access_token: tokens.refreshToken ?? tokens.accessToken },
      });
      const accessToken = str(data, 'access_token');
      if (!accessToken) throw unexpectedAnswer(platform, what, 'token', 'reconnect');
      return {
        ...tokens,
        accessToken,
        // The long-lived token renews itself: it is its own refresh token.
        refreshToken: accessToken,
        expiresAt: expiresAtOf(data),
      };
    },

    /** A media container on `edge`; nothing is published yet, so a missing id may be tried again. */
    async createContainer(
      client: PlatformClient,
      token: string,
      edge: string,
      params: Record<string, string>,
      what: string,
    ) {
      const { data } = await call(client, 'POST', edge, what, token, params);
      return idOf(data, what, 'container id', true);
    },

    /** Reads a container's status until FINISHED; ERROR is the media's fault, EXPIRED or too long a wait may pass. */
    async waitFinished(
      client: PlatformClient,
      token: string,
      id: string,
      what: string,
      delays: readonly number[],
      fields: ContainerStatusFields,
    ): Promise<void> {
      for (let attempt = 0; ; attempt++) {
        const { data } = await call(client, 'GET', `/${id}`, what, token, {
          fields: `${fields.status},${fields.reason}`,
        });
        const status = str(data, fields.status);
        if (status === 'FINISHED' || status === 'PUBLISHED') return;
        if (status === 'ERROR')
          throw new PlatformError(
            `${platform} could not process the media to ${what}: ${str(data, fields.reason) ?? 'no reason given'}`,
            false,
          );
        if (status === 'EXPIRED')
          throw new PlatformError(
            `${platform} let the media expire before it was published; it will be sent again`,
            true,
          );
        const delay = delays[attempt];
        if (delay === undefined)
          throw new PlatformError(`${platform} is still processing the media; publishing will be tried again`, true);
        await sleep(delay);
      }
    },

    /** Publishes a finished container; once it is out, a missing id is not retried (it would post twice). */
    async publishContainer(client: PlatformClient, token: string, edge: string, containerId: string) {
      const { data, status } = await call(client, 'POST', edge, 'publish the post', token, {
        creation_id: containerId,
      });
      const id = str(data, 'id');
      if (!id)
        throw new PlatformError(
          `${platform} published the post but did not say its id; check the account before posting again`,
          false,
          status,
        );
      return id;
    },

    /**
     * The account's post whose text is exactly the request's, made since `since`, on one edge read
     * newest first page by page; `undefined` when the edge has more pages than are read (a person checks).
     */
    async findOwnPost(
      client: PlatformClient,
      token: string,
      request: FindPublishedRequest,
      edge: OwnPostsEdge,
    ): Promise<PublishedPost | null | undefined> {
      const what = 'check whether the post went out';
      const first = url(client, edge.path);
      let next: URL | null = first;
      let params: Record<string, string> | undefined = {
        fields: edge.fields,
        since: String(Math.floor(request.since.getTime() / 1000)),
        limit: String(OWN_POSTS_PAGE_SIZE),
      };
      for (let page = 0; next && page < MAX_OWN_POSTS_PAGES; page++) {
        const { data }: { data: Json } = await graphCall({ platform, method: 'GET', url: next, what, token, params });
        for (const item of Array.isArray(data.data) ? data.data.map(asRecord) : []) {
          const at = graphTimeMs(item?.[edge.timeField]);
          if (!item || (at !== null && at < request.since.getTime())) continue;
          const id = str(item, 'id');
          if (id && (item[edge.textField] ?? '') === request.text && (edge.matches?.(item) ?? true))
            return edge.toPost(item, id);
        }
        next = nextPage(data, first);
        params = undefined;
      }
      return next ? undefined : null;
    },

    /**
     * The account's comment with exactly this text under a post, made since `since` (`GET /<ID>/comments`,
     * newest first): how a first comment cut short by a crash is found instead of sent twice.
     */
    async findOwnComment(
      client: PlatformClient,
      token: string,
      objectId: string,
      request: { text: string; since: Date },
      fields: { text: string; time: string },
      url: (id: string) => string,
    ): Promise<PublishedPost | null> {
      const found = await this.findOwnPost(client, token, request, {
        path: `/${objectId}/comments`,
        fields: `id,${fields.text},${fields.time}`,
        textField: fields.text,
        timeField: fields.time,
        toPost: (_item, id) => ({ postId: id, url: url(id) }),
      });
      if (found === undefined) throw this.tooManyPosts();
      return found;
    },

    /** The error for a search `findOwnPost` could not finish. */
    tooManyPosts: () =>
      new PlatformError(
        `${platform} shows too many posts since this one was attempted; check by hand whether it went out`,
        false,
      ),

    /** The account's allowance in its moving window (`quota_usage` of `config.quota_total` over `quota_duration` s). */
    async publishingLimit(client: PlatformClient, tokens: TokenSet, edge: string) {
      const what = "read the account's publishing limit";
      const { data } = await call(client, 'GET', edge, what, tokens.accessToken, { fields: 'quota_usage,config' });
      const row = asRecord(Array.isArray(data.data) ? data.data[0] : null);
      const config = asRecord(row?.config);
      if (typeof row?.quota_usage !== 'number' || typeof config?.quota_total !== 'number')
        throw new PlatformError(`${platform} gave an unexpected answer while trying to ${what}`, true);
      return {
        used: row.quota_usage,
        total: config.quota_total,
        windowHours: typeof config.quota_duration === 'number' ? config.quota_duration / 3600 : 24,
      };
    },

    /** The post's permalink; the post is out whatever this read does, so a failure only costs the link. */
    async permalink(client: PlatformClient, token: string, id: string, fallback: string): Promise<string> {
      try {
        const { data } = await call(client, 'GET', `/${id}`, 'read the post’s address', token, { fields: 'permalink' });
        return str(data, 'permalink') ?? fallback;
      } catch {
        return fallback;
      }
    },

    /** A comment under a published post (`POST /<ID>/comments`); its id. */
    async comment(client: PlatformClient, token: string, objectId: string, text: string): Promise<string> {
      const { data } = await call(client, 'POST', `/${objectId}/comments`, 'add the first comment', token, {
        message: text,
      });
      const id = str(data, 'id');
      if (!id) throw new PlatformError(`${platform} added the comment but did not say its id`, false);
      return id;
    },

    /** Deletes a post; one already gone counts as deleted (Graph answers 100/33 for an id that no longer exists). */
    async remove(client: PlatformClient, token: string, id: string): Promise<void> {
      try {
        await call(client, 'DELETE', `/${id}`, 'delete the post', token);
      } catch (err) {
        if (err instanceof PlatformError && !err.retryable && !err.needsReauth && /code 100\/33/.test(err.message))
          return;
        throw err;
      }
    },

    /**
     * The sign-in's code exchange where Instagram and Threads agree: the code for a short token by a
     * form POST to `/oauth/access_token` (Instagram's production host is its own: `productionCodeUrl`),
     * then the short token for the 60-day one at `/access_token` (`grantType`). Gives that token, its
     * expiry, and the first answer (Instagram reads the granted permissions from it).
     */
    async exchangeForLongLived(
      client: { clientId: string; clientSecret: string | null; apiBaseUrl: string },
      code: string,
      redirectUri: string,
      grantType: string,
      productionCodeUrl?: string,
    ): Promise<{ accessToken: string; expiresAt: string | null; short: Json }> {
      const what = 'finish the sign-in';
      const shortUrl =
        productionCodeUrl && base(client) === defaultBase
          ? new URL(productionCodeUrl)
          : graphUrl(platform, base(client), '/oauth/access_token');
      const answer = await graphCall({
        platform,
        method: 'POST',
        url: shortUrl,
        what,
        params: {
          client_id: client.clientId,
          client_secret: client.clientSecret ?? '',
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
          code,
        },
      });
      // The documentation shows Instagram's answer inside `data`; it is sent flat. Either is read.
      const short = asRecord(Array.isArray(answer.data.data) ? answer.data.data[0] : null) ?? answer.data;
      const shortToken = str(short, 'access_token');
      if (!shortToken) throw new PlatformError(`${platform} gave no token while trying to ${what}`, false);
      const { data: long } = await graphCall({
        platform,
        method: 'GET',
        url: graphUrl(platform, base(client), '/access_token'),
        what,
        params: { grant_type: grantType, client_secret: client.clientSecret ?? '', access_token: shortToken },
      });
      const accessToken = str(long, 'access_token');
      if (!accessToken) throw new PlatformError(`${platform} gave no long-lived token while trying to ${what}`, false);
      return { accessToken, expiresAt: expiresAtOf(long), short };
    },
  };
}
