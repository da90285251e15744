import { randomUUID } from 'node:crypto';
import type { PostGroup, PostGroupPage } from '../../src-shared/posts';
import { DESK_LOCAL_ID_PREFIX } from '../../src-shared/team-protocol';

/*
 * Posts drafted on a desk while its team host cannot be reached (issue 12 item 4, scenario 8.4;
 * docs/decisions.md D122): the desk answers `post.create` itself with a desk-local id, keeps the
 * change in its outbox, and shows the post at once in its lists, marked "not sent yet", until the
 * host has answered. Edits to such a post fold into its queued create while it was never sent;
 * otherwise they wait as their own change keyed to the local id, sent once the host's id is known
 * (every later change that names the local id is rewritten to it: /work/coord/team-protocol.md).
 *
 * Pure functions over requests and answers: the outbox keeps the rows, RemoteApp decides when.
 */

type Json = Record<string, unknown>;

/** A desk-local post id: `local-<uuid>` (42 characters, within a post id's 64). */
export const newLocalId = (): string => `${DESK_LOCAL_ID_PREFIX}${randomUUID()}`;

export const isLocalId = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(DESK_LOCAL_ID_PREFIX);

/** Every desk-local id a request names, at any depth. */
export function localIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (isLocalId(value)) found.add(value);
  else if (Array.isArray(value)) for (const v of value) localIdsIn(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) localIdsIn(v, found);
  return found;
}

/** The request with every local id the map knows replaced by the host's id (a copy when anything changed). */
export function withHostIds<T>(value: T, hostIds: ReadonlyMap<string, string>): T {
  if (hostIds.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (isLocalId(v)) return hostIds.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return localIdsIn(value).size ? (walk(value) as T) : value;
}

/**
 * An edit of a post never sent, folded into its queued create: the create's `post` takes the
 * patch's fields. `scheduledTime: null` moves it back to drafts (no time, not queued).
 */
export function foldUpdate(createRequest: unknown, patch: Json): Json {
  const request = structuredClone(createRequest ?? {}) as Json;
  const post = { ...((request.post ?? {}) as Json) };
  for (const [field, value] of Object.entries(patch)) {
    if (field === 'scheduledTime' && value === null) {
      delete post.scheduledTime;
      delete post.addToQueue;
      delete post.publishNow;
    } else if ((field === 'firstComment' || field === 'poll') && (value === null || value === '')) delete post[field];
    else post[field] = value;
  }
  request.post = post;
  return request;
}

/** A post drafted offline, as the renderer shows it: the create's fields, marked not sent yet. */
export function notSentPost(localId: string, createRequest: unknown, createdAt: string): PostGroup {
  const request = (createRequest ?? {}) as Json;
  const post = (request.post ?? {}) as Json;
  const scheduledTime = typeof post.scheduledTime === 'string' ? post.scheduledTime : null;
  const mediaCount =
    (Array.isArray(post.mediaIds) ? post.mediaIds.length : 0) + (Array.isArray(post.media) ? post.media.length : 0);
  return {
    id: localId,
    userId: typeof request.userId === 'string' ? request.userId : '',
    text: typeof post.text === 'string' ? post.text : '',
    platformTexts: (post.platformTexts ?? {}) as Record<string, string>,
    platformIds: Array.isArray(post.platformIds) ? (post.platformIds as string[]) : [],
    scheduledTime,
    status: scheduledTime || post.addToQueue || post.publishNow ? 'scheduled' : 'draft',
    mediaCount,
    // Library items are shown by the host once it has the post; the count says they are there.
    media: [],
    createdAt,
    updatedAt: createdAt,
    deliveries: [],
    approval: { policy: 'none', state: 'none', stage: null, cleared: true },
    thread: Array.isArray(post.thread)
      ? (post.thread as Json[]).map((p) => ({ text: typeof p.text === 'string' ? p.text : '', media: [] }))
      : [],
    firstComment: typeof post.firstComment === 'string' ? post.firstComment : null,
    poll: (post.poll ?? null) as PostGroup['poll'],
    notSent: true,
  };
}

/** A post not sent yet, with an edit queued after its create was sent (the host has not answered). */
export function withPatch(group: PostGroup, patch: Json, at: string): PostGroup {
  const folded = foldUpdate({ userId: group.userId, post: postFields(group) }, patch);
  return { ...notSentPost(group.id, folded, group.createdAt), updatedAt: at };
}

const postFields = (g: PostGroup): Json => ({
  text: g.text,
  platformIds: g.platformIds,
  platformTexts: g.platformTexts,
  ...(g.scheduledTime ? { scheduledTime: g.scheduledTime } : g.status === 'scheduled' ? { addToQueue: true } : {}),
  ...(g.thread.length ? { thread: g.thread.map((p) => ({ text: p.text })) } : {}),
  ...(g.firstComment ? { firstComment: g.firstComment } : {}),
  ...(g.poll ? { poll: g.poll } : {}),
});

/**
 * Whether a post not sent yet belongs in a `post.list` answer to this request: its workspace's,
 * for the client asked about, in the state, time range and words asked for.
 */
export function listedBy(group: PostGroup, workspaceId: string, request: unknown): boolean {
  const r = (request ?? {}) as Json;
  const query = (r.query ?? {}) as Json;
  if (r.workspaceId !== workspaceId) return false;
  if (typeof r.userId === 'string' && r.userId !== group.userId) return false;
  if (typeof query.state === 'string' && query.state !== group.status) return false;
  if (
    typeof query.platform === 'string' &&
    !group.platformIds.some((id) => id.startsWith(`${String(query.platform)}-`))
  )
    return false;
  const at = group.scheduledTime ?? group.createdAt;
  if (typeof query.from === 'string' && at < query.from) return false;
  if (typeof query.to === 'string' && at > query.to) return false;
  if (typeof query.search === 'string' && query.search.trim()) {
    const words = group.text.toLowerCase().split(/\W+/);
    const wanted = query.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (!wanted.every((w) => words.some((word) => word.startsWith(w)))) return false;
  }
  return true;
}

/** A page of the host's posts (from its last answer) with the desk's posts not sent yet on top. */
export function withNotSent(page: PostGroupPage, notSent: readonly PostGroup[]): PostGroupPage {
  if (notSent.length === 0) return page;
  const shown = new Set(page.groups.map((g) => g.id));
  const added = notSent.filter((g) => !shown.has(g.id));
  return { ...page, groups: [...added, ...page.groups], total: page.total + added.length };
}
