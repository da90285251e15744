import type { Platform } from '../../src-shared/contract-platforms';
import { countText, PLATFORM_RULES } from '../../src-shared/platform-rules';
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
const TOKEN =
  /(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]}])|(@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)|(#[\p{L}\p{N}_]+)/gu;

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

/**
 * One delivery's card. `mediaUrl` gives a picture's address through the approval link (never a
 * guessable path: the link's token is part of it and checked on every request).
 */
export function previewHtml(
  target: PreviewTarget,
  text: string,
  media: readonly PreviewMedia[],
  mediaUrl: (mediaId: string) => string,
): string {
  const platform = isPlatform(target.platform) ? target.platform : null;
  const look = platform ? LOOKS[platform] : null;
  const platformName = platform ? PLATFORM_RULES[platform].name : target.platform;
  const name = target.name?.trim() || target.handle?.replace(/^@/, '') || platformName;
  const handle = target.handle ? target.handle.replace(/^@/, '') : null;
  const shownHandle = look?.handle && handle ? look.handle(handle) : null;
  const initial = [...name][0]?.toUpperCase() ?? '?';
  const body = platform ? richText(platform, text, hostOf(handle)) : html(text);
  const pictures = media
    .map((m) =>
      m.kind === 'image' && m.thumbnail
        ? `<img src="${html(mediaUrl(m.id))}" alt="${html(m.altText || 'Image')}" loading="lazy">`
        : `<div class="nopic">${m.kind === 'video' ? 'Video' : 'Image'}${m.altText ? `: ${html(m.altText)}` : ''}</div>`,
    )
    .join('');
  const limit = target.maxTextLength ?? (platform ? PLATFORM_RULES[platform].maxTextLength : null);
  const used = platform ? countText(platform, text) : [...text].length;
  const counter =
    limit !== null
      ? `<span class="count${used > limit ? ' over' : ''}" title="as ${html(platformName)} counts">${used} / ${limit}</span>${used > limit ? ' <b>over the limit</b>' : ''}`
      : `<span class="count">${used}</span> characters`;
  return `<article class="pv" style="--accent:${look?.accent ?? '#5b6475'}" aria-label="${html(`${platformName} preview: ${name}`)}">
<header><span class="av${look?.avatar === 'square' ? ' sq' : ''}" aria-hidden="true">${html(initial)}</span><span class="who"><b>${html(name)}</b>${shownHandle ? ` <span class="handle">${html(shownHandle)}</span>` : ''}</span><span class="pf">${html(platformName)}</span></header>
<p class="text">${body}</p>${pictures ? `<div class="pics pics-${Math.min(media.length, 4)}">${pictures}</div>` : ''}
<footer class="note">${counter}</footer></article>`;
}

/** The cards' styles (inline: the page's CSP allows inline styles and no other source). */
export const PREVIEW_CSS = `<style>
.pv{border:1px solid #d8dde6;border-radius:14px;padding:.8rem;margin:.8rem 0;background:#fff;overflow-wrap:anywhere}
.pv header{display:flex;align-items:center;gap:.6rem}.pv .who{flex:1;min-width:0;line-height:1.25}
.pv .handle{color:#5b6475}.pv .pf{font-size:.75rem;color:var(--accent);font-weight:600}
.pv .av{flex:none;width:2.4rem;height:2.4rem;border-radius:50%;background:var(--accent);color:#fff;display:grid;place-items:center;font-weight:700}
.pv .av.sq{border-radius:.5rem}.pv .text{white-space:pre-wrap;margin:.6rem 0}
.pv a{color:var(--accent);text-decoration:none}.pv .mention,.pv .tag{color:var(--accent)}
.pv .pics{display:grid;gap:2px;border-radius:12px;overflow:hidden;grid-template-columns:1fr 1fr}.pv .pics-1{grid-template-columns:1fr}
.pv .pics img{width:100%;height:100%;max-height:20rem;object-fit:cover;display:block}
.pv .nopic{background:#eef1f6;padding:1.5rem .6rem;text-align:center;color:#5b6475}
.pv .count.over{color:#b42318;font-weight:700}
</style>`;
