import twitterText from 'twitter-text';
import type { Platform } from './contract-platforms';

/**
 * What a post must respect on each platform (SPEC §4), as data. Text is counted the way each
 * platform counts it: X weighs characters and counts every URL as 23 (twitter-text, X's own
 * library); Bluesky counts graphemes; the others count code points, Mastodon with URLs as 23.
 */
export interface PlatformRules {
  name: string;
  maxTextLength: number;
  counting: 'x-weighted' | 'graphemes' | 'mastodon' | 'codepoints' | 'threads';
  maxImages: number;
  maxImageBytes: number;
  imageTypes: readonly string[];
  mediaRequired: boolean;
  /**
   * Pictures' width/height must lie within [min, max] (Instagram's feed: 4:5 to 1.91:1); null
   * when the platform takes any shape. The composer offers a crop to the nearest bound.
   */
  imageAspect: AspectRange | null;
  /**
   * The platform fetches a post's images and videos itself from a public URL (Instagram's and
   * Threads' content publishing), so they need a team host's public address (D101); the others
   * take the bytes.
   */
  mediaFromPublicUrl: boolean;
  /** What a video must be on this platform (each platform's documentation, issue 14 item 2). */
  video: VideoRules;
  /** What may follow the post itself (issue 14 item 4): a thread of replies, or a first comment. */
  followUp: FollowUpRules;
  /** A poll on the post where the API takes one (X, Mastodon); null elsewhere. */
  poll: PollRules | null;
}

/** A poll's bounds on a platform: options, their length, how long it runs. */
export interface PollRules {
  maxOptions: number;
  maxOptionLength: number;
  minMinutes: number;
  maxMinutes: number;
}

/**
 * A thread: the post, then each part a reply to the one before (X, Bluesky, Mastodon, Threads),
 * each part under the platform's own limits. A first comment: one comment under the post, as the
 * account (LinkedIn, Instagram, Facebook), whose APIs take comments but not replies to one's posts.
 */
export type FollowUpRules = { kind: 'thread'; maxParts: number } | { kind: 'first_comment'; maxCommentLength: number };

/**
 * Postroom's own bound on a thread's parts (the post included): none of the four platforms
 * documents one for replies; 25 is what X's own composer allows (D117).
 */
export const MAX_THREAD_PARTS = 25;
const THREAD: FollowUpRules = { kind: 'thread', maxParts: MAX_THREAD_PARTS };

/** width / height, both ends included. */
export interface AspectRange {
  min: number;
  max: number;
  /** How people say the bounds ("4:5 to 1.91:1"). */
  label: string;
}

export interface VideoRules {
  /**
   * Whether Postroom's adapter for the platform uploads video yet (issue 14 item 3). A platform
   * whose API takes video but whose upload is not built refuses it by this flag, not by a branch.
   */
  published: boolean;
  types: readonly string[];
  maxBytes: number;
  minDurationMs: number;
  maxDurationMs: number;
  aspect: AspectRange | null;
  /** Videos per post (every platform takes one, with no images beside it, except carousels). */
  maxVideos: number;
  /** Whether a video may go in the same post as images (carousels). */
  mixesWithImages: boolean;
}

const MB = 1024 * 1024;
const MINUTE = 60_000;
const COMMON_IMAGES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
const MP4_MOV = ['video/mp4', 'video/quicktime'] as const;
/** Meta's "0.01:1 to 10:1" for Reels and Threads videos. */
const META_VIDEO_ASPECT: AspectRange = { min: 0.01, max: 10, label: '0.01:1 to 10:1' };

export const PLATFORM_RULES: Record<Platform, PlatformRules> = {
  x: {
    name: 'X',
    maxTextLength: 280,
    counting: 'x-weighted',
    maxImages: 4,
    maxImageBytes: 5 * MB,
    imageTypes: COMMON_IMAGES,
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: false,
    // X media best practices: MP4/MOV, 512 MB, 0.5 s to 140 s, 1:3 to 3:1.
    video: {
      published: true,
      types: MP4_MOV,
      maxBytes: 512 * MB,
      minDurationMs: 500,
      maxDurationMs: 140_000,
      aspect: { min: 1 / 3, max: 3, label: '1:3 to 3:1' },
      maxVideos: 1,
      mixesWithImages: false,
    },
    followUp: THREAD,
    // POST /2/tweets `poll`: 2 to 4 options of up to 25 characters, 5 minutes to 7 days; no media beside it.
    poll: { maxOptions: 4, maxOptionLength: 25, minMinutes: 5, maxMinutes: 7 * 24 * 60 },
  },
  bluesky: {
    name: 'Bluesky',
    maxTextLength: 300,
    counting: 'graphemes',
    maxImages: 4,
    maxImageBytes: 1_000_000,
    imageTypes: ['image/png', 'image/jpeg', 'image/webp'],
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: false,
    // app.bsky.embed.video: MP4, 100 MB, up to 3 minutes.
    video: {
      published: true,
      types: ['video/mp4'],
      maxBytes: 100 * MB,
      minDurationMs: 0,
      maxDurationMs: 3 * MINUTE,
      aspect: null,
      maxVideos: 1,
      mixesWithImages: false,
    },
    followUp: THREAD,
    poll: null,
  },
  mastodon: {
    name: 'Mastodon',
    maxTextLength: 500,
    counting: 'mastodon',
    maxImages: 4,
    maxImageBytes: 16 * MB,
    imageTypes: COMMON_IMAGES,
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: false,
    // Mastodon's defaults (an instance may differ): 99 MB videos; a video goes alone.
    video: {
      published: true,
      types: MP4_MOV,
      maxBytes: 99 * MB,
      minDurationMs: 0,
      maxDurationMs: 4 * 60 * MINUTE,
      aspect: null,
      maxVideos: 1,
      mixesWithImages: false,
    },
    followUp: THREAD,
    // POST /api/v1/statuses `poll`: Mastodon's defaults, 4 options of 50 characters, 5 minutes to 30 days.
    poll: { maxOptions: 4, maxOptionLength: 50, minMinutes: 5, maxMinutes: 30 * 24 * 60 },
  },
  linkedin: {
    name: 'LinkedIn',
    maxTextLength: 3000,
    counting: 'codepoints',
    maxImages: 9,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/png', 'image/jpeg', 'image/gif'],
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: false,
    // LinkedIn Videos API: MP4, 75 KB to 5 GB, 3 s to 30 minutes, 1:2.4 to 2.4:1.
    video: {
      published: true,
      types: ['video/mp4'],
      maxBytes: 5 * 1024 * MB,
      minDurationMs: 3000,
      maxDurationMs: 30 * MINUTE,
      aspect: { min: 1 / 2.4, max: 2.4, label: '1:2.4 to 2.4:1' },
      maxVideos: 1,
      mixesWithImages: false,
    },
    // Comments API: a comment's message.text is at most 1,250 characters.
    followUp: { kind: 'first_comment', maxCommentLength: 1250 },
    poll: null,
  },
  // Threads Posts: 500 characters with emoji counted as their UTF-8 bytes; carousels of up to 20;
  // images JPEG or PNG up to 8 MB (https://developers.facebook.com/docs/threads/posts).
  threads: {
    name: 'Threads',
    maxTextLength: 500,
    counting: 'threads',
    maxImages: 20,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/png', 'image/jpeg'],
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: true,
    // Threads API media specifications: MOV/MP4, 1 GB, up to 5 minutes, 0.01:1 to 10:1.
    video: {
      published: true,
      types: MP4_MOV,
      maxBytes: 1024 * MB,
      minDurationMs: 0,
      maxDurationMs: 5 * MINUTE,
      aspect: META_VIDEO_ASPECT,
      maxVideos: 10,
      mixesWithImages: true,
    },
    followUp: THREAD,
    poll: null,
  },
  // Instagram content publishing: JPEG only, 8 MB, carousels of up to 10, media required.
  instagram: {
    name: 'Instagram',
    maxTextLength: 2200,
    counting: 'codepoints',
    maxImages: 10,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/jpeg'],
    mediaRequired: true,
    // Instagram Graph API: feed images 4:5 to 1.91:1; Reels MOV/MP4, 300 MB, 3 s to 15 minutes.
    imageAspect: { min: 4 / 5, max: 1.91, label: '4:5 to 1.91:1' },
    mediaFromPublicUrl: true,
    video: {
      published: true,
      types: MP4_MOV,
      maxBytes: 300 * MB,
      minDurationMs: 3000,
      maxDurationMs: 15 * MINUTE,
      aspect: META_VIDEO_ASPECT,
      maxVideos: 10,
      mixesWithImages: true,
    },
    // IG Media comments: at most 2,200 characters (as captions).
    followUp: { kind: 'first_comment', maxCommentLength: 2200 },
    poll: null,
  },
  // Page photos: under 4 MB (Page Photos reference).
  facebook: {
    name: 'Facebook',
    maxTextLength: 63206,
    counting: 'codepoints',
    maxImages: 10,
    maxImageBytes: 4 * MB,
    imageTypes: ['image/png', 'image/jpeg', 'image/gif'],
    mediaRequired: false,
    imageAspect: null,
    mediaFromPublicUrl: false,
    // Facebook Pages video: MP4/MOV, up to 10 GB and 240 minutes (the library takes up to 1 GB).
    video: {
      published: true,
      types: MP4_MOV,
      maxBytes: 10 * 1024 * MB,
      minDurationMs: 1000,
      maxDurationMs: 240 * MINUTE,
      aspect: null,
      maxVideos: 1,
      mixesWithImages: false,
    },
    // Page comments: at most 8,000 characters.
    followUp: { kind: 'first_comment', maxCommentLength: 8000 },
    poll: null,
  },
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const utf8 = new TextEncoder();
const URL_PATTERN = /https?:\/\/[^\s]+/g;
const MASTODON_URL_LENGTH = 23;

/** The length of `text` as the platform counts it. */
export function countText(platform: Platform, text: string): number {
  switch (PLATFORM_RULES[platform].counting) {
    case 'x-weighted':
      return twitterText.parseTweet(text).weightedLength;
    case 'graphemes':
      return [...graphemes.segment(text)].length;
    case 'mastodon':
      // Mastodon counts every link as 23 characters, whatever its length.
      return [...text.replace(URL_PATTERN, 'x'.repeat(MASTODON_URL_LENGTH))].length;
    case 'codepoints':
      return [...text].length;
    case 'threads': {
      // Threads counts an emoji as its UTF-8 bytes (TextEncoder: the renderer has no Buffer).
      let length = 0;
      for (const { segment } of graphemes.segment(text))
        length += /\p{Extended_Pictographic}/u.test(segment) ? utf8.encode(segment).length : [...segment].length;
      return length;
    }
  }
}

/** What the rules look at in a media item (the library knows all of it; older callers give type and size). */
export interface MediaInfo {
  mimeType: string;
  size: number;
  /** Absent means an image. */
  kind?: 'image' | 'video';
  width?: number | null;
  height?: number | null;
  durationMs?: number | null;
}

export interface RuleViolation {
  platform: Platform;
  rule:
    | 'text_too_long'
    | 'text_required'
    | 'too_many_images'
    | 'image_type'
    | 'image_too_large'
    | 'media_required'
    | 'image_aspect'
    | 'video_not_supported'
    | 'video_type'
    | 'video_too_large'
    | 'video_too_short'
    | 'video_too_long'
    | 'video_aspect'
    | 'too_many_videos'
    | 'video_with_images'
    | 'thread_not_supported'
    | 'thread_too_long'
    | 'comment_too_long'
    | 'first_comment_not_supported'
    | 'poll_not_supported'
    | 'poll_invalid';
  message: string;
  /** The part of a thread it is about (2 is the first reply); absent for the post itself. */
  part?: number;
}

const formatMb = (bytes: number) =>
  bytes >= 1024 * MB ? `${Math.round(bytes / 1024 / MB)} GB` : `${Math.round(bytes / 100_000) / 10} MB`;
const formatDuration = (ms: number) =>
  ms >= MINUTE ? `${Math.round((ms / MINUTE) * 10) / 10} min` : `${Math.round(ms / 100) / 10} s`;
/** A little slack, so that a 1080×1350 picture counts as 4:5 despite rounding. */
const withinAspect = (ratio: number, range: AspectRange) => ratio >= range.min - 0.005 && ratio <= range.max + 0.005;

/**
 * Whether a post with these media needs a team host's public address on this platform
 * (Instagram always has media; Threads text posts do not need one): a single desk cannot publish it.
 */
export const needsPublicMedia = (platform: Platform, mediaCount: number): boolean =>
  PLATFORM_RULES[platform].mediaFromPublicUrl && (mediaCount > 0 || PLATFORM_RULES[platform].mediaRequired);

/**
 * What one image or video file must be on a platform: its type, its size, a video's duration and
 * its shape, as the platform's rules for that kind of file say (SPEC §4, issue 14 item 2). The
 * checks are the same for both kinds; only the limits differ, and an image has no duration.
 */
const FILE_LIMITS = {
  image: (rules: PlatformRules) => ({
    types: rules.imageTypes,
    maxBytes: rules.maxImageBytes,
    durationMs: null,
    aspect: rules.imageAspect,
    /** The composer offers a crop for pictures (PlatformRules.imageAspect). */
    aspectHint: ' (crop it in the media library)',
  }),
  video: ({ video }: PlatformRules) => ({
    types: video.types,
    maxBytes: video.maxBytes,
    durationMs: { min: video.minDurationMs, max: video.maxDurationMs },
    aspect: video.aspect,
    aspectHint: '',
  }),
} as const;

/** The violations of file `n` (1 for the first) of a post on one platform. */
function fileViolations(platform: Platform, m: MediaInfo, n: number): RuleViolation[] {
  const rules = PLATFORM_RULES[platform];
  const kind = m.kind === 'video' ? 'video' : 'image';
  const limits = FILE_LIMITS[kind](rules);
  const what = `${rules.name}: ${kind} ${n}`;
  const ratio = m.width && m.height ? m.width / m.height : null;
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  const out: RuleViolation[] = [];
  if (!limits.types.includes(m.mimeType))
    out.push({ platform, rule: `${kind}_type`, message: `${what} is ${m.mimeType}, which it does not take` });
  if (m.size > limits.maxBytes)
    out.push({ platform, rule: `${kind}_too_large`, message: `${what} is over ${formatMb(limits.maxBytes)}` });
  if (limits.durationMs && m.durationMs != null && m.durationMs < limits.durationMs.min)
    out.push({
      platform,
      rule: 'video_too_short',
      message: `${what} lasts ${seconds(m.durationMs)}; it needs at least ${seconds(limits.durationMs.min)}`,
    });
  if (limits.durationMs && m.durationMs != null && m.durationMs > limits.durationMs.max)
    out.push({
      platform,
      rule: 'video_too_long',
      message: `${what} lasts ${formatDuration(m.durationMs)}; at most ${formatDuration(limits.durationMs.max)}`,
    });
  if (ratio !== null && limits.aspect && !withinAspect(ratio, limits.aspect))
    out.push({
      platform,
      rule: `${kind}_aspect`,
      message: `${what} is ${m.width}×${m.height}; its shape must be ${limits.aspect.label}${limits.aspectHint}`,
    });
  return out;
}

/** Every rule a post breaks on one platform; an empty list means it may be published there. */
export function checkPost(
  platform: Platform,
  text: string,
  media: readonly MediaInfo[],
  maxTextLength = PLATFORM_RULES[platform].maxTextLength,
): RuleViolation[] {
  const rules = PLATFORM_RULES[platform];
  const out: RuleViolation[] = [];
  const length = countText(platform, text);
  if (length > maxTextLength)
    out.push({
      platform,
      rule: 'text_too_long',
      message: `${rules.name}: the text is ${length} characters; the limit is ${maxTextLength}`,
    });
  if (text.trim() === '' && media.length === 0)
    out.push({ platform, rule: 'text_required', message: `${rules.name}: a post needs text or an image` });
  const images = media.filter((m) => m.kind !== 'video');
  const videos = media.filter((m) => m.kind === 'video');
  if (images.length > rules.maxImages) {
    out.push({
      platform,
      rule: 'too_many_images',
      message:
        rules.maxImages === 0
          ? `${rules.name}: images are not supported yet`
          : `${rules.name}: at most ${rules.maxImages} images`,
    });
  }
  if (rules.mediaRequired && media.length === 0)
    out.push({ platform, rule: 'media_required', message: `${rules.name}: a post needs at least one image` });
  const v = rules.video;
  if (videos.length > 0 && !v.published)
    out.push({
      platform,
      rule: 'video_not_supported',
      message: `${rules.name}: Postroom does not publish video there yet; post the video on ${rules.name} itself`,
    });
  if (videos.length > v.maxVideos)
    out.push({ platform, rule: 'too_many_videos', message: `${rules.name}: at most ${v.maxVideos} video in a post` });
  if (videos.length > 0 && images.length > 0 && !v.mixesWithImages)
    out.push({ platform, rule: 'video_with_images', message: `${rules.name}: a video goes in a post without images` });
  media.forEach((m, i) => out.push(...fileViolations(platform, m, i + 1)));
  return out;
}

/** A part of a thread after the post itself, as the rules see it. */
export interface ThreadPartInfo {
  text: string;
  media: readonly MediaInfo[];
}

/**
 * Every rule a post's thread and first comment break on one platform (issue 14 item 4): a thread
 * only where the platform takes replies, each part under the same limits as a post (its number
 * in `part`, 2 for the first reply); a first comment under the platform's comment length. A first
 * comment on a platform that takes threads instead is not an error: it goes to the post's other
 * platforms, and the composer says so (D117).
 */
export function checkFollowUps(
  platform: Platform,
  thread: readonly ThreadPartInfo[],
  firstComment: string | null | undefined,
  maxTextLength = PLATFORM_RULES[platform].maxTextLength,
): RuleViolation[] {
  const rules = PLATFORM_RULES[platform];
  const followUp = rules.followUp;
  const out: RuleViolation[] = [];
  if (thread.length > 0 && followUp.kind !== 'thread')
    out.push({
      platform,
      rule: 'thread_not_supported',
      message:
        `${rules.name}: posts there cannot be threads; ` +
        'post the thread to X, Bluesky, Mastodon or Threads, or make it one post',
    });
  if (followUp.kind === 'thread') {
    if (thread.length + 1 > followUp.maxParts)
      out.push({
        platform,
        rule: 'thread_too_long',
        message: `${rules.name}: a thread has at most ${followUp.maxParts} parts`,
      });
    thread.forEach((part, i) => {
      for (const v of checkPost(platform, part.text, part.media, maxTextLength))
        out.push({
          ...v,
          part: i + 2,
          message: v.message
            .replace(`${rules.name}: `, `${rules.name}, part ${i + 2}: `)
            .replace('a post needs', 'a part needs'),
        });
    });
  }
  if (followUp.kind === 'first_comment' && firstComment) {
    const length = countText(platform, firstComment);
    if (length > followUp.maxCommentLength)
      out.push({
        platform,
        rule: 'comment_too_long',
        message: `${rules.name}: the first comment is ${length} characters; the limit is ${followUp.maxCommentLength}`,
      });
  }
  return out;
}

/** Whether a platform takes a thread, or a first comment (what the composer offers for it). */
export const takesThread = (platform: Platform): boolean => PLATFORM_RULES[platform].followUp.kind === 'thread';
export const takesFirstComment = (platform: Platform): boolean =>
  PLATFORM_RULES[platform].followUp.kind === 'first_comment';

/**
 * A first comment needs one account that takes it: where none of a post's platforms does, it is
 * refused rather than dropped without a word (D117).
 */
export function checkFirstCommentTargets(
  platforms: readonly Platform[],
  firstComment: string | null | undefined,
): RuleViolation[] {
  if (!firstComment || platforms.length === 0 || platforms.some(takesFirstComment)) return [];
  const names = [...new Set(platforms.map((p) => PLATFORM_RULES[p].name))].join(', ');
  return [
    {
      platform: platforms[0]!,
      rule: 'first_comment_not_supported',
      message:
        `${names}: no first comment there (LinkedIn, Instagram and Facebook take one); ` +
        'put it in the text or a thread',
    },
  ];
}

/** A poll as the rules see it. */
export interface PollInfo {
  options: readonly string[];
  durationMinutes: number;
}

/** How long a poll runs, as people say it ("1 day", "6 hours", "30 minutes"). */
export const pollDuration = (minutes: number): string =>
  minutes % 1440 === 0
    ? `${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`
    : minutes % 60 === 0
      ? `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`
      : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;

/**
 * A poll's rules on one platform (X, Mastodon take polls): 2 to `maxOptions` options, each
 * 1 to `maxOptionLength` characters, a duration in bounds, and no media beside it (both APIs
 * refuse a poll with media). Elsewhere a poll is refused, never dropped. `serverRules`: the bounds
 * the account's own server sets (a Mastodon instance's), in place of the platform's.
 */
export function checkPoll(
  platform: Platform,
  poll: PollInfo | null | undefined,
  mediaCount: number,
  serverRules?: PollRules | null,
): RuleViolation[] {
  if (!poll) return [];
  const rules = PLATFORM_RULES[platform];
  const p = rules.poll && (serverRules ?? rules.poll);
  if (!p)
    return [
      {
        platform,
        rule: 'poll_not_supported',
        message: `${rules.name}: no polls there (X and Mastodon take them); post the poll to those accounts only`,
      },
    ];
  const out: RuleViolation[] = [];
  const bad = (message: string) => out.push({ platform, rule: 'poll_invalid', message: `${rules.name}: ${message}` });
  if (poll.options.length < 2 || poll.options.length > p.maxOptions) bad(`a poll has 2 to ${p.maxOptions} options`);
  poll.options.forEach((o, i) => {
    const length = [...o].length;
    if (o.trim() === '' || length > p.maxOptionLength)
      bad(`poll option ${i + 1} must have 1 to ${p.maxOptionLength} characters`);
  });
  if (poll.durationMinutes < p.minMinutes || poll.durationMinutes > p.maxMinutes) {
    // The longest in whole days, rounded down: an instance's 2,629,746 s reads "30 days", not 43829 minutes.
    const longest = p.maxMinutes >= 1440 ? Math.floor(p.maxMinutes / 1440) * 1440 : p.maxMinutes;
    bad(`a poll runs ${pollDuration(p.minMinutes)} to ${pollDuration(longest)}`);
  }
  if (mediaCount > 0) bad('a post with a poll takes no images or video');
  return out;
}
