import { z } from 'zod';
import { Approval, approvalStates } from './approvals';
import { Platform } from './contract-platforms';
import { MediaItem } from './media';

/** Post groups and deliveries (seed 000 `post-groups`, SPEC §3 and §4). */

export const deliveryStates = [
  'draft',
  'scheduled',
  'publishing',
  'published',
  'failed',
  'needs_attention',
  'cancelled',
  'paused',
] as const;
export const DeliveryState = z.enum(deliveryStates);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const Delivery = z.object({
  id: z.string(),
  platformId: z.string(),
  platform: Platform,
  state: DeliveryState,
  scheduledTime: z.string().nullable(),
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  platformPostId: z.string().nullable(),
  url: z.string().nullable(),
  error: z.string().nullable(),
  publishedAt: z.string().nullable(),
  /**
   * What went out of a thread or a first comment, part by part (1 the post itself, 2 the next
   * part or the first comment), each once with the platform's id and link; empty before the post
   * went out. A post without a thread or a comment lists its one part once it is published.
   */
  parts: z.array(
    z.object({ part: z.number(), platformPostId: z.string(), url: z.string().nullable(), publishedAt: z.string() }),
  ),
});
export type Delivery = z.infer<typeof Delivery>;

/** A post's media item as the post shows it (the whole item is in the library: `media.get`). */
export const PostMedia = MediaItem.pick({
  id: true,
  kind: true,
  mimeType: true,
  size: true,
  width: true,
  height: true,
  durationMs: true,
  fileName: true,
  altText: true,
  hasThumbnail: true,
});
export type PostMedia = z.infer<typeof PostMedia>;

export const PostGroup = z.object({
  id: z.string(),
  userId: z.string(),
  text: z.string(),
  platformTexts: z.record(z.string(), z.string()),
  platformIds: z.array(z.string()),
  scheduledTime: z.string().nullable(),
  status: z.enum([
    'draft',
    'scheduled',
    'publishing',
    'published',
    'partially_published',
    'failed',
    'needs_attention',
    'cancelled',
    'paused',
  ]),
  mediaCount: z.number(),
  /** The media in order: library items (SPEC §14). */
  media: z.array(PostMedia),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveries: z.array(Delivery),
  /** Where it is in its client's approval (SPEC §13). */
  approval: Approval,
  /** A thread's parts after the post itself, in order (issue 14 item 4); empty for a single post. */
  thread: z.array(z.object({ text: z.string(), media: z.array(PostMedia) })),
  /** The comment posted under the post where the platform takes one (LinkedIn, Instagram, Facebook). */
  firstComment: z.string().nullable(),
  /** A poll on the post (X, Mastodon), or null. */
  poll: z.object({ options: z.array(z.string()), durationMinutes: z.number() }).nullable(),
  /**
   * A desk in team mode drafted it while its team host could not be reached: it has a desk-local
   * id and waits in the desk's outbox (issue 12 item 4; D122). Never set by an engine.
   */
  notSent: z.boolean().optional(),
});
export type PostGroup = z.infer<typeof PostGroup>;

/** A part of a thread after the post itself: its text and library items (issue 14 item 4). */
export const ThreadPartInput = z.strictObject({
  text: z.string().max(70_000).default(''),
  mediaIds: z.array(z.string().min(1).max(64)).max(20).optional(),
});
export type ThreadPartInput = z.input<typeof ThreadPartInput>;

/** The parts after the post (a thread has at most MAX_THREAD_PARTS parts, the post included). */
const ThreadInput = z.array(ThreadPartInput).max(24, 'A thread has at most 25 parts.');
const FirstCommentInput = z.string().max(70_000);
/** A poll: its options and how long it runs (each platform's bounds are in PLATFORM_RULES). */
export const PollInput = z.strictObject({
  options: z.array(z.string().max(200)).min(2, 'A poll has at least 2 options.').max(10),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 31),
});

export const MediaInput = z.strictObject({
  fileName: z.string().max(255).optional(),
  dataBase64: z.base64(),
  altText: z.string().max(1500).optional(),
});

const PlatformIdList = z
  .array(z.string().min(3).max(300))
  .min(1, 'Choose at least one account to post to.')
  .max(20, 'Choose at most 20 accounts for one post.');

/**
 * Seed 000's body: `{text, platformIds, scheduledTime}`; no scheduledTime makes a draft. A draft
 * keeps any text: the platforms' limits (src-shared/platform-rules) apply when a post is scheduled
 * (a time, the queue or publishNow) and to every change of a scheduled post (D93).
 */
export const CreatePostGroupInput = z.strictObject({
  text: z.string().max(70_000).default(''),
  platformIds: PlatformIdList,
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
  platformTexts: z.record(z.string(), z.string().max(70_000)).optional(),
  /** Files sent inline (seed 000): each is added to the client's media library, then used. */
  media: z.array(MediaInput).max(10).optional(),
  /** Items of the client's media library, in order, before any inline `media`. */
  mediaIds: z.array(z.string().min(1).max(64)).max(20).optional(),
  /** Replies that follow the post, in order, on the platforms that take threads (X, Bluesky, Mastodon, Threads). */
  thread: ThreadInput.optional(),
  /** A comment under the post on the platforms that take one (LinkedIn, Instagram, Facebook); others leave it out. */
  firstComment: FirstCommentInput.optional(),
  /** A poll on the post, where the accounts take one (X, Mastodon); it takes no media beside it. */
  poll: PollInput.optional(),
  /** Take the client's next free queue slot instead of a time. */
  addToQueue: z.boolean().optional(),
  /**
   * Publish now. Required to confirm a `scheduledTime` more than 5 minutes in the past (else
   * `time_in_past`): the post then goes out now and counts against today's daily limit.
   */
  publishNow: z.boolean().optional(),
});
export type CreatePostGroupInput = z.input<typeof CreatePostGroupInput>;

export const UpdatePostGroupInput = z
  .strictObject({
    text: z.string().max(70_000).optional(),
    platformTexts: z.record(z.string(), z.string().max(70_000)).optional(),
    /** The post's media, replaced by these library items in this order ([] removes them all). */
    mediaIds: z.array(z.string().min(1).max(64)).max(20).optional(),
    /** The thread's parts after the post, replaced whole ([] makes it a single post). */
    thread: ThreadInput.optional(),
    /** The first comment; null or '' removes it. */
    firstComment: FirstCommentInput.nullable().optional(),
    /** The poll; null removes it. */
    poll: PollInput.nullable().optional(),
    /** null moves the post back to drafts. */
    scheduledTime: z.iso.datetime({ offset: true }).nullable().optional(),
    /** Publish now; required to confirm a `scheduledTime` more than 5 minutes in the past. */
    publishNow: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdatePostGroupInput = z.input<typeof UpdatePostGroupInput>;

/** "Retry": the failed deliveries of a post go out again; `platformIds` picks some (else every failed one). */
export const RetryDeliveriesInput = z.strictObject({
  platformIds: z.array(z.string().min(3).max(300)).min(1).max(20).optional(),
});

/** Approval states a list can filter on (`state=in_review`, issue 13 item 7); `none` is every unsubmitted post. */
export const approvalFilterStates = approvalStates.filter((s) => s !== 'none') as [
  'in_review',
  'changes_requested',
  'approved',
];
export const isApprovalFilter = (state: string): state is (typeof approvalFilterStates)[number] =>
  (approvalFilterStates as readonly string[]).includes(state);

export const ListPostGroupsQuery = z.strictObject({
  /** A delivery state (a group with any delivery in it), or an approval state of the group. */
  state: z.enum([...deliveryStates, ...approvalFilterStates]).optional(),
  platform: Platform.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Seed 000's paging; `cursor` is the way through long lists (a page number counts every row before it). */
  page: z.coerce.number().int().min(1).default(1),
  perPage: z.coerce.number().int().min(1).max(1000).default(100),
  /** Where the previous page ended (its `nextCursor`); when given, `page` is not used. */
  cursor: z.string().min(1).max(200).optional(),
  /** Words of the post's text (any of its per-account texts too), each matched as a word's start. */
  search: z.string().trim().max(200, 'Search for at most 200 characters.').optional(),
  /** By post time (else creation time): newest first (`desc`, the default) or soonest first (`asc`). */
  order: z.enum(['desc', 'asc']).default('desc'),
});

/**
 * A page of post groups: `total` counts every match (at least, when `totalCapped`);
 * `nextCursor` is null on the last page.
 */
export const PostGroupPage = z.object({
  groups: z.array(PostGroup),
  total: z.number(),
  totalCapped: z.boolean(),
  nextCursor: z.string().nullable(),
});
export type PostGroupPage = z.infer<typeof PostGroupPage>;

export const QueueSlot = z.object({
  weekday: z.number().int().min(1, 'Choose a weekday.').max(7, 'Choose a weekday.'),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Choose a time of day, such as 09:30.'),
});
export type QueueSlot = z.infer<typeof QueueSlot>;

/**
 * The overview's "needs attention" (issue 10 item 6): deliveries that failed or wait for a person,
 * and connections that must be reconnected, each with the client's name and the account's handle.
 */
export const AttentionDelivery = z.object({
  deliveryId: z.string(),
  postGroupId: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  clientTimezone: z.string(),
  platform: Platform,
  platformId: z.string(),
  /** The account's handle; null when its connection was removed. */
  handle: z.string().nullable(),
  state: z.enum(['failed', 'needs_attention']),
  error: z.string().nullable(),
  /** When it failed (or started waiting). */
  at: z.string(),
  text: z.string(),
});
export type AttentionDelivery = z.infer<typeof AttentionDelivery>;

export const AttentionConnection = z.object({
  clientId: z.string(),
  clientName: z.string(),
  clientTimezone: z.string(),
  platform: Platform,
  platformId: z.string(),
  handle: z.string(),
  /** `needs_reauth` or `revoked` as the platform said; `expired` when its token ran out. */
  problem: z.enum(['needs_reauth', 'revoked', 'expired']),
  since: z.string(),
});
export type AttentionConnection = z.infer<typeof AttentionConnection>;

export const NeedsAttention = z.object({
  deliveries: z.array(AttentionDelivery),
  connections: z.array(AttentionConnection),
  /** More deliveries than listed need attention (the list shows the latest). */
  moreDeliveries: z.boolean(),
});
export type NeedsAttention = z.infer<typeof NeedsAttention>;

/**
 * The calendar's read (issue 11 `calendar_month`): the days from `from` to `to` (dates, `to` not
 * included, at most 62) in `zone`, each with how many posts it holds and the first `perDay` of
 * them by time. A month cell shows four; the week view asks for every post of its days.
 */
export const CalendarQuery = z
  .strictObject({
    from: z.iso.date('Give the first day as yyyy-mm-dd.'),
    to: z.iso.date('Give the day after the last as yyyy-mm-dd.'),
    /** The time zone the days are in (an IANA name); the workspace's when left out. */
    zone: z.string().min(1).max(64).optional(),
    platform: Platform.optional(),
    perDay: z.coerce.number().int().min(1).max(1000).default(4),
  })
  .refine((q) => q.from < q.to, { message: 'The last day must come after the first.', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 62, {
    message: 'Ask for at most 62 days at a time.',
    path: ['to'],
  });

/** A post as a calendar cell shows it: when, whose, where, its first words and where it stands. */
export const CalendarPost = z.object({
  id: z.string(),
  userId: z.string(),
  scheduledTime: z.string(),
  status: PostGroup.shape.status,
  platformIds: z.array(z.string()),
  /** The first line of its text, at most 60 characters. */
  excerpt: z.string(),
  updatedAt: z.string(),
  /** Some delivery may still be edited or moved (the engine's rule for post.update). */
  changeable: z.boolean(),
  /** Where it is in its client's approval (SPEC §13), for the cell's badge. */
  approval: Approval,
});
export type CalendarPost = z.infer<typeof CalendarPost>;

export const CalendarDay = z.object({
  day: z.string(),
  /** Every post of the day (not drafts, not cancelled), of which `posts` are the first by time. */
  total: z.number(),
  posts: z.array(CalendarPost),
});
export const CalendarPage = z.object({ zone: z.string(), days: z.array(CalendarDay) });
export type CalendarPage = z.infer<typeof CalendarPage>;
