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
  counting: 'x-weighted' | 'graphemes' | 'mastodon' | 'codepoints';
  maxImages: number;
  maxImageBytes: number;
  imageTypes: readonly string[];
  mediaRequired: boolean;
}

const MB = 1024 * 1024;
const COMMON_IMAGES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

export const PLATFORM_RULES: Record<Platform, PlatformRules> = {
  x: {
    name: 'X',
    maxTextLength: 280,
    counting: 'x-weighted',
    maxImages: 4,
    maxImageBytes: 5 * MB,
    imageTypes: COMMON_IMAGES,
    mediaRequired: false,
  },
  bluesky: {
    name: 'Bluesky',
    maxTextLength: 300,
    counting: 'graphemes',
    maxImages: 4,
    maxImageBytes: 1_000_000,
    imageTypes: ['image/png', 'image/jpeg', 'image/webp'],
    mediaRequired: false,
  },
  mastodon: {
    name: 'Mastodon',
    maxTextLength: 500,
    counting: 'mastodon',
    maxImages: 4,
    maxImageBytes: 16 * MB,
    imageTypes: COMMON_IMAGES,
    mediaRequired: false,
  },
  linkedin: {
    name: 'LinkedIn',
    maxTextLength: 3000,
    counting: 'codepoints',
    maxImages: 9,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/png', 'image/jpeg', 'image/gif'],
    mediaRequired: false,
  },
  threads: {
    name: 'Threads',
    maxTextLength: 500,
    counting: 'codepoints',
    maxImages: 10,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/png', 'image/jpeg'],
    mediaRequired: false,
  },
  instagram: {
    name: 'Instagram',
    maxTextLength: 2200,
    counting: 'codepoints',
    maxImages: 10,
    maxImageBytes: 8 * MB,
    imageTypes: ['image/jpeg', 'image/png'],
    mediaRequired: true,
  },
  facebook: {
    name: 'Facebook',
    maxTextLength: 63206,
    counting: 'codepoints',
    maxImages: 10,
    maxImageBytes: 10 * MB,
    imageTypes: ['image/png', 'image/jpeg', 'image/gif'],
    mediaRequired: false,
  },
};

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
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
  }
}

export interface MediaInfo {
  mimeType: string;
  size: number;
}

export interface RuleViolation {
  platform: Platform;
  rule: 'text_too_long' | 'text_required' | 'too_many_images' | 'image_type' | 'image_too_large' | 'media_required';
  message: string;
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
  if (media.length > rules.maxImages) {
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
  media.forEach((m, i) => {
    if (!rules.imageTypes.includes(m.mimeType))
      out.push({
        platform,
        rule: 'image_type',
        message: `${rules.name}: image ${i + 1} is ${m.mimeType}, which it does not take`,
      });
    if (m.size > rules.maxImageBytes)
      out.push({
        platform,
        rule: 'image_too_large',
        message: `${rules.name}: image ${i + 1} is over ${Math.round(rules.maxImageBytes / 100_000) / 10} MB`,
      });
  });
  return out;
}
