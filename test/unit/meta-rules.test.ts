import { describe, expect, it } from 'vitest';
import { platforms } from '../../src-shared/contract-platforms';
import { checkPost, countText, needsPublicMedia } from '../../src-shared/platform-rules';

describe('Instagram, Facebook and Threads posting rules', () => {
  it('counts Threads text with an emoji as its UTF-8 bytes, as Threads does', () => {
    expect(countText('threads', 'hello')).toBe(5);
    expect(countText('threads', '😀')).toBe(4);
    expect(countText('threads', '👍🏽')).toBe(8);
    expect(checkPost('threads', '😀'.repeat(125), [])).toEqual([]);
    expect(checkPost('threads', '😀'.repeat(126), []).map((v) => v.rule)).toEqual(['text_too_long']);
  });

  it('takes only JPEG on Instagram and needs media there; 4 MB photos on Facebook; 20 items on Threads', () => {
    expect(checkPost('instagram', 'caption', []).map((v) => v.rule)).toEqual(['media_required']);
    expect(checkPost('instagram', 'caption', [{ mimeType: 'image/png', size: 10 }]).map((v) => v.rule)).toEqual([
      'image_type',
    ]);
    expect(checkPost('instagram', 'caption', [{ mimeType: 'image/jpeg', size: 10 }])).toEqual([]);
    expect(
      checkPost('facebook', 'x', [{ mimeType: 'image/jpeg', size: 4 * 1024 * 1024 + 1 }]).map((v) => v.rule),
    ).toEqual(['image_too_large']);
    const twenty = Array.from({ length: 20 }, () => ({ mimeType: 'image/jpeg', size: 10 }));
    expect(checkPost('threads', 'x', twenty)).toEqual([]);
    expect(checkPost('threads', 'x', [...twenty, twenty[0]!]).map((v) => v.rule)).toEqual(['too_many_images']);
  });

  it('needs a public address for media on Instagram (always) and Threads (with media) only (D101, D116)', () => {
    const needing = (mediaCount: number) => platforms.filter((p) => needsPublicMedia(p, mediaCount));
    expect(needing(0)).toEqual(['instagram']);
    expect(needing(2)).toEqual(['threads', 'instagram']);
  });
});
