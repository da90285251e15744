import { describe, expect, it } from 'vitest';
import {
  LOOKS,
  previewHtml,
  richText,
  type PreviewFollowUps,
  type PreviewMedia,
  type PreviewTarget,
} from '../../src-main/server/approval-previews';
import { platforms } from '../../src-shared/contract-platforms';

/** Issue 13 item 2: the look-alike cards of the approval page, as HTML (escaping first). */

describe('richText', () => {
  it('escapes everything a post says; only http(s) links become links', () => {
    const out = richText('x', '<img src=x onerror=alert(1)> "quoted" & javascript:alert(1) data:text/html,hi', null);
    expect(out).toBe(
      '&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; javascript:alert(1) data:text/html,hi',
    );
    expect(richText('x', 'see https://a.test/?q="><script>x</script>', null)).toBe(
      'see <a class="url" href="https://a.test/?q=" rel="nofollow noopener noreferrer" target="_blank">https://a.test/?q=</a>&quot;&gt;&lt;script&gt;x&lt;/script&gt;',
    );
  });

  it('leaves a sentence’s full stop out of a link', () => {
    expect(richText('mastodon', 'Shop at https://shop.test/sale.', null)).toBe(
      'Shop at <a class="url" href="https://shop.test/sale" rel="nofollow noopener noreferrer" target="_blank">https://shop.test/sale</a>.',
    );
  });

  it.each<[(typeof platforms)[number], string, string | null, string]>([
    ['x', '@casey_co', null, '<a class="mention" href="https://x.com/casey_co"'],
    ['mastodon', '@casey@social.test', null, '<a class="mention" href="https://social.test/@casey"'],
    ['mastodon', '@casey', 'mastodon.test', '<a class="mention" href="https://mastodon.test/@casey"'],
    ['mastodon', '@casey', null, '<span class="mention">@casey</span>'],
    ['bluesky', '@Casey.bsky.social', null, '<a class="mention" href="https://bsky.app/profile/casey.bsky.social"'],
    ['bluesky', '@casey', null, '<span class="mention">@casey</span>'],
    ['instagram', '@casey.co', null, '<a class="mention" href="https://www.instagram.com/casey.co/"'],
    ['threads', '@casey.co', null, '<a class="mention" href="https://www.threads.net/@casey.co"'],
    ['linkedin', '@Casey', null, '<span class="mention">@Casey</span>'],
    ['facebook', '@Casey', null, '<span class="mention">@Casey</span>'],
    ['x', 'a #SpringSale', null, '<a class="tag" href="https://x.com/hashtag/SpringSale"'],
    ['mastodon', 'a #SpringSale', null, '<span class="tag">#SpringSale</span>'],
  ])('%s renders %s as its mention or tag', (platform, text, host, expected) => {
    expect(richText(platform, text, host)).toContain(expected);
  });

  it('does not take an email address for a mention', () => {
    expect(richText('x', 'mail casey@client.test', null)).toBe('mail casey@client.test');
  });
});

describe('previewHtml', () => {
  const media = [
    { id: 'med_1', kind: 'image' as const, altText: 'A "sale" sign', thumbnail: true },
    { id: 'med_2', kind: 'video' as const, altText: '', thumbnail: false },
  ];
  const url = (id: string) => `/approve/TOKEN/media/${id}`;
  /** The card of `text` for an account on `account.platform` (named Casey, no limit of its own, unless told). */
  const cardOf = (
    account: Pick<PreviewTarget, 'platform'> & Partial<PreviewTarget>,
    text: string,
    pictures: readonly PreviewMedia[] = [],
    followUps?: PreviewFollowUps,
  ) =>
    previewHtml(
      { platformId: `${account.platform}-1`, name: 'Casey', handle: 'casey', maxTextLength: null, ...account },
      text,
      pictures,
      url,
      followUps,
    );

  it('has a look for every platform', () => expect(Object.keys(LOOKS).sort()).toEqual([...platforms].sort()));

  it('shows the name, the handle as the platform does, the pictures through the link, and the counter', () => {
    const card = cardOf(
      { platform: 'x', name: 'Casey <Co>', handle: 'casey_co' },
      'Hello https://example.com/a-very-long-path-that-x-counts-as-23',
      media,
    );
    expect(card).toContain('aria-label="X preview: Casey &lt;Co&gt;"');
    expect(card).toContain('<b>Casey &lt;Co&gt;</b> <span class="handle">@casey_co</span>');
    expect(card).toContain('<img src="/approve/TOKEN/media/med_1" alt="A &quot;sale&quot; sign" loading="lazy">');
    expect(card).toContain('<div class="nopic">Video</div>');
    // X counts a link as 23: "Hello " (6) + 23.
    expect(card).toContain('>29 / 280</span>');
  });

  it('uses the account’s own limit, and says when the text is over it', () => {
    const card = cardOf({ platform: 'mastodon', handle: 'casey@social.test', maxTextLength: 10 }, 'Eleven char');
    expect(card).toContain('<span class="count over" title="as Mastodon counts">11 / 10</span> <b>over the limit</b>');
    expect(card).not.toContain('<img');
  });

  it('never shows a LinkedIn handle (it is the member’s sign-in email)', () => {
    const card = cardOf({ platform: 'linkedin', name: 'Casey Co', handle: 'casey@client.test' }, 'Hi');
    expect(card).not.toContain('casey@client.test');
    expect(card).toContain('>2 / 3000</span>');
  });

  describe('what follows the post (issue 14 item 4)', () => {
    const followUps = {
      thread: [
        { text: 'Part two <b>bold</b> #tips', media: [] },
        { text: 'x'.repeat(290), media: [media[0]!] },
      ],
      firstComment: 'Link in the comment: https://shop.test',
      poll: { options: ['Red', 'Blue <i>'], durationMinutes: 1440 },
    };
    const card = (platform: 'x' | 'mastodon' | 'linkedin' | 'instagram') =>
      cardOf({ platform }, 'The post', [], followUps);

    it('shows a thread’s parts, numbered, escaped, with their pictures, each counted on its own', () => {
      const x = card('x');
      expect(x).toContain('<ol class="thread" aria-label="Thread"><li aria-label="Part 2 of 3">');
      expect(x).toContain('Part two &lt;b&gt;bold&lt;/b&gt; <a class="tag" href="https://x.com/hashtag/tips"');
      expect(x).toContain('<li aria-label="Part 3 of 3">');
      expect(x).toContain('<img src="/approve/TOKEN/media/med_1"');
      expect(x).toContain('>290 / 280</span> <b>over the limit</b>');
    });

    it('shows a poll where the platform takes one, with how long it runs', () => {
      const x = card('x');
      expect(x).toContain('<ol aria-label="Poll options"><li>Red</li><li>Blue &lt;i&gt;</li></ol>');
      expect(x).toContain('Poll · runs for 1 day');
      expect(card('linkedin')).not.toContain('Poll options');
    });

    it('shows the first comment where the platform takes one, under the account’s name, against its limit', () => {
      const linkedin = card('linkedin');
      expect(linkedin).toContain(
        '<div class="comment" aria-label="First comment"><p class="text"><b>Casey</b> Link in',
      );
      expect(linkedin).toContain('>38 / 1250</span>');
      expect(card('instagram')).toContain('>38 / 2200</span>');
      // A thread platform shows no first comment, and a first-comment platform no thread.
      expect(card('mastodon')).not.toContain('First comment');
      expect(linkedin).not.toContain('aria-label="Thread"');
    });
  });
});
