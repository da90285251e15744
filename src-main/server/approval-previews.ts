import type { Platform } from '../../src-shared/contract-platforms';
import { countText, PLATFORM_RULES, pollDuration } from '../../src-shared/platform-rules';
import { html } from './pages';

/**
 * Previews on the client's approval page that look like each platform (issue 13 item 2): per
 * delivery, a card with the account's name and handle as that platform shows them, the text with
 * links, @mentions and hashtags as the platform renders them, the images, and the platform's own
 * character counter. The page is served to people outside the agency, so every value is escaped
 * and only http(s) links are made; pictures come from the link's own token-checked route.
 */

/** How a mention names an account on a platform, and where its profile is; null: not a link there. */
interface MentionRule {
  /** The whole mention, from its `@`. */
  pattern: RegExp;
  profile(match: RegExpExecArray, accountHost: string | null): string | null;
}

interface Look {
  /** The platform's accent: links, mentions and the counter's bar. */
  accent: string;
  /** Avatars: a circle, or a rounded square (Mastodon). */
  avatar: 'round' | 'square';
  /** The handle as shown under or beside the name; null: the platform shows none. */
  handle: ((handle: string) => string) | null;
  mention: MentionRule | null;
  /** Where a hashtag leads; null: shown in the accent, not linked. */
  hashtag: ((tag: string) => string) | null;
}

const at = (h: string) => `@${h}`;
const enc = encodeURIComponent;

/** Each platform's look, as data (see `previewHtml`). */
export const LOOKS: Record<Platform, Look> = {
  x: {
    accent: '#1d9bf0',
    avatar: 'round',
    handle: at,
    mention: { pattern: /^@([A-Za-z0-9_]{1,15})$/, profile: (m) => `https://x.com/${enc(m[1]!)}` },
    hashtag: (t) => `https://x.com/hashtag/${enc(t)}`,
  },
  mastodon: {
    accent: '#6364ff',
    avatar: 'square',
    handle: at,
    // `@user@instance`, or `@user` on the account's own instance.
    mention: {
      pattern: /^@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))?$/,
      profile: (m, host) => ((m[2] ?? host) ? `https://${m[2] ?? host}/@${enc(m[1]!)}` : null),
    },
    hashtag: null,
  },
  bluesky: {
    accent: '#0085ff',
    avatar: 'round',
    handle: at,
    mention: {
      pattern: /^@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/,
      profile: (m) => `https://bsky.app/profile/${enc(m[1]!.toLowerCase())}`,
    },
    hashtag: (t) => `https://bsky.app/hashtag/${enc(t)}`,
  },
  // LinkedIn keeps a member's sign-in email as the handle: never shown to the client.
  linkedin: { accent: '#0a66c2', avatar: 'round', handle: null, mention: null, hashtag: null },
  instagram: {
    accent: '#e1306c',
    avatar: 'round',
    handle: at,
    mention: { pattern: /^@([A-Za-z0-9_.]{1,30})$/, profile: (m) => `https://www.instagram.com/${enc(m[1]!)}/` },
    hashtag: null,
  },
  threads: {
    accent: '#101010',
    avatar: 'round',
    handle: at,
    mention: { pattern: /^@([A-Za-z0-9_.]{1,30})$/, profile: (m) => `https://www.threads.net/@${enc(m[1]!)}` },
    hashtag: null,
  },
  facebook: { accent: '#1877f2', avatar: 'round', handle: null, mention: null, hashtag: null },
};

/** URLs, mentions and hashtags in a post's text (the tokens each platform turns into links). */
const URL_TOKEN = /(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]}])/u;
const MENTION_TOKEN = /(@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)/u;
const HASHTAG_TOKEN = /(#[\p{L}\p{N}_]+)/u;
const TOKEN = new RegExp(`${URL_TOKEN.source}|${MENTION_TOKEN.source}|${HASHTAG_TOKEN.source}`, 'gu');

const link = (href: string, text: string, kind: string) =>
  `<a class="${kind}" href="${html(href)}" rel="nofollow noopener noreferrer" target="_blank">${html(text)}</a>`;

/** A post's text as `platform` renders it: escaped, with links, mentions and hashtags made links. */
export function richText(platform: Platform, text: string, accountHost: string | null): string {
  const look = LOOKS[platform];
  let out = '';
  let from = 0;
  for (const m of text.matchAll(TOKEN)) {
    const [whole, url, mention, tag] = m;
    // A mention or hashtag starts a word: "mail@example.com" is not one.
    if ((mention || tag) && m.index > 0 && /[\p{L}\p{N}_]/u.test(text[m.index - 1]!)) continue;
    out += html(text.slice(from, m.index));
    if (url) {
      out += link(url, url, 'url');
    } else if (mention) {
      const rule = look.mention && look.mention.pattern.exec(mention);
      const profile = rule ? look.mention!.profile(rule, accountHost) : null;
      out += profile ? link(profile, mention, 'mention') : `<span class="mention">${html(mention)}</span>`;
    } else {
      const href = look.hashtag?.(tag!.slice(1));
      out += href ? link(href, tag!, 'tag') : `<span class="tag">${html(tag!)}</span>`;
    }
    from = m.index + whole.length;
  }
  return out + html(text.slice(from));
}

export interface PreviewTarget {
  platform: string;
  platformId: string;
  name: string | null;
  handle: string | null;
  /** The account's own text limit (a Mastodon instance's), when it has one. */
  maxTextLength: number | null;
}

export interface PreviewMedia {
  id: string;
  kind: 'image' | 'video';
  altText: string;
  /** Whether a thumbnail exists to show (a picture, once probed). */
  thumbnail: boolean;
}

const isPlatform = (p: string): p is Platform => p in LOOKS;

/** The host a Mastodon handle names (`user@instance`), for mentions without one. */
const hostOf = (handle: string | null) => /@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/.exec(handle ?? '')?.[1] ?? null;

/** What follows the post itself (issue 14 item 4); each card shows what its platform takes. */
export interface PreviewFollowUps {
  /** The thread's parts after the post (X, Bluesky, Mastodon, Threads). */
  thread: readonly { text: string; media: readonly PreviewMedia[] }[];
  /** The first comment (LinkedIn, Instagram, Facebook). */
  firstComment: string | null;
  /** The poll (X, Mastodon). */
  poll: { options: readonly string[]; durationMinutes: number } | null;
}

const NO_FOLLOW_UPS: PreviewFollowUps = { thread: [], firstComment: null, poll: null };

/** The count against a limit, as the platform counts: red and said in words when over. */
function counterHtml(platformName: string, used: number, limit: number | null): string {
  return limit !== null
    ? `<span class="count${used > limit ? ' over' : ''}" title="as ${html(platformName)} counts">` +
        `${used} / ${limit}</span>${used > limit ? ' <b>over the limit</b>' : ''}`
    : `<span class="count">${used}</span> characters`;
}

function picturesHtml(media: readonly PreviewMedia[], mediaUrl: (mediaId: string) => string): string {
  const pictures = media
    .map((m) =>
      m.kind === 'image' && m.thumbnail
        ? `<img src="${html(mediaUrl(m.id))}" alt="${html(m.altText || 'Image')}" loading="lazy">`
        : `<div class="nopic">${m.kind === 'video' ? 'Video' : 'Image'}` +
          `${m.altText ? `: ${html(m.altText)}` : ''}</div>`,
    )
    .join('');
  return pictures ? `<div class="pics pics-${Math.min(media.length, 4)}">${pictures}</div>` : '';
}

/**
 * One delivery's card. `mediaUrl` gives a picture's address through the approval link (never a
 * guessable path: the link's token is part of it and checked on every request). Under the post
 * come what its platform takes of the follow-ups: the thread's parts, each counted on its own,
 * the poll's options, or the first comment.
 */
export function previewHtml(
  target: PreviewTarget,
  text: string,
  media: readonly PreviewMedia[],
  mediaUrl: (mediaId: string) => string,
  followUps: PreviewFollowUps = NO_FOLLOW_UPS,
): string {
  const platform = isPlatform(target.platform) ? target.platform : null;
  const look = platform ? LOOKS[platform] : null;
  const rules = platform ? PLATFORM_RULES[platform] : null;
  const platformName = rules ? rules.name : target.platform;
  const name = target.name?.trim() || target.handle?.replace(/^@/, '') || platformName;
  const handle = target.handle ? target.handle.replace(/^@/, '') : null;
  const shownHandle = look?.handle && handle ? look.handle(handle) : null;
  const initial = [...name][0]?.toUpperCase() ?? '?';
  const rich = (t: string) => (platform ? richText(platform, t, hostOf(handle)) : html(t));
  const limit = target.maxTextLength ?? rules?.maxTextLength ?? null;
  const used = (t: string) => (platform ? countText(platform, t) : [...t].length);
  const { thread, firstComment, poll } = followUps;
  const parts =
    rules?.followUp.kind === 'thread' && thread.length > 0
      ? `<ol class="thread" aria-label="Thread">${thread
          .map(
            (part, i) =>
              `<li aria-label="Part ${i + 2} of ${thread.length + 1}"><p class="text">${rich(part.text)}</p>` +
              picturesHtml(part.media, mediaUrl) +
              `<footer class="note">${counterHtml(platformName, used(part.text), limit)}</footer></li>`,
          )
          .join('')}</ol>`
      : '';
  const pollHtml =
    rules?.poll && poll
      ? '<div class="poll"><ol aria-label="Poll options">' +
        poll.options.map((o) => `<li>${html(o)}</li>`).join('') +
        `</ol><p class="note">Poll · runs for ${pollDuration(poll.durationMinutes)}</p></div>`
      : '';
  const comment =
    rules?.followUp.kind === 'first_comment' && firstComment
      ? '<div class="comment" aria-label="First comment">' +
        `<p class="text"><b>${html(name)}</b> ${rich(firstComment)}</p>` +
        `<footer class="note">${counterHtml(platformName, used(firstComment), rules.followUp.maxCommentLength)}` +
        '</footer></div>'
      : '';
  const label = html(`${platformName} preview: ${name}`);
  const handleHtml = shownHandle ? ` <span class="handle">${html(shownHandle)}</span>` : '';
  const header =
    `<header><span class="av${look?.avatar === 'square' ? ' sq' : ''}" aria-hidden="true">${html(initial)}</span>` +
    `<span class="who"><b>${html(name)}</b>${handleHtml}</span><span class="pf">${html(platformName)}</span></header>`;
  return `<article class="pv" style="--accent:${look?.accent ?? '#5b6475'}" aria-label="${label}">
${header}
<p class="text">${rich(text)}</p>${picturesHtml(media, mediaUrl)}${pollHtml}
<footer class="note">${counterHtml(platformName, used(text), limit)}</footer>${parts}${comment}</article>`;
}

/** The cards' styles (inline: the page's CSP allows inline styles and no other source). */
export const PREVIEW_CSS = `<style>
.pv{border:1px solid #d8dde6;border-radius:14px;padding:.8rem;margin:.8rem 0;background:#fff;overflow-wrap:anywhere}
.pv header{display:flex;align-items:center;gap:.6rem}.pv .who{flex:1;min-width:0;line-height:1.25}
.pv .handle{color:#5b6475}.pv .pf{font-size:.75rem;color:var(--accent);font-weight:600}
.pv .av{flex:none;width:2.4rem;height:2.4rem;border-radius:50%;background:var(--accent);color:#fff;display:grid;
  place-items:center;font-weight:700}
.pv .av.sq{border-radius:.5rem}.pv .text{white-space:pre-wrap;margin:.6rem 0}
.pv a{color:var(--accent);text-decoration:none}.pv .mention,.pv .tag{color:var(--accent)}
.pv .pics{display:grid;gap:2px;border-radius:12px;overflow:hidden;grid-template-columns:1fr 1fr}
.pv .pics-1{grid-template-columns:1fr}
.pv .pics img{width:100%;height:100%;max-height:20rem;object-fit:cover;display:block}
.pv .nopic{background:#eef1f6;padding:1.5rem .6rem;text-align:center;color:#5b6475}
.pv .count.over{color:#b42318;font-weight:700}
.pv .thread{list-style:none;margin:.6rem 0 0;padding:0 0 0 1.2rem;border-left:2px solid #d8dde6}
.pv .thread li{padding:.4rem 0}.pv .comment{margin-top:.6rem;padding:.5rem .7rem;background:#f4f6fa;border-radius:10px}
.pv .poll ol{margin:.4rem 0;padding-left:1.4rem}
.pv .poll li{border:1px solid var(--accent);border-radius:999px;padding:.2rem .7rem;margin:.25rem 0}
</style>`;
