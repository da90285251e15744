import { describe, expect, it } from 'vitest';
import { checkPoll, PLATFORM_RULES, pollDuration } from '../../src-shared/platform-rules';

/** Issue 14 item 4: a poll's bounds, the platform's or the account's own server's (D127). */

const poll = (options: number, length = 5, durationMinutes = 60) => ({
  options: Array.from({ length: options }, (_, i) => `${i}`.padEnd(length, 'x')),
  durationMinutes,
});
const messages = (...args: Parameters<typeof checkPoll>) => checkPoll(...args).map((v) => v.message);

describe('checkPoll', () => {
  it("keeps to the platform's bounds when the server set none", () => {
    expect(messages('mastodon', poll(4, 50), 0)).toEqual([]);
    expect(messages('mastodon', poll(5), 0, null)).toEqual(['Mastodon: a poll has 2 to 4 options']);
    expect(messages('x', poll(2, 26), 0)).toEqual([
      'X: poll option 1 must have 1 to 25 characters',
      'X: poll option 2 must have 1 to 25 characters',
    ]);
  });

  it("takes an instance's own bounds in place of Mastodon's", () => {
    const instance = { maxOptions: 6, maxOptionLength: 80, minMinutes: 1, maxMinutes: 7 * 1440 };
    expect(messages('mastodon', poll(6, 80), 0, instance)).toEqual([]);
    expect(messages('mastodon', poll(7, 81, 8 * 1440), 0, instance)).toEqual([
      'Mastodon: a poll has 2 to 6 options',
      ...Array.from({ length: 7 }, (_, i) => `Mastodon: poll option ${i + 1} must have 1 to 80 characters`),
      'Mastodon: a poll runs 1 minute to 7 days',
    ]);
  });

  it('never lets server bounds give a poll to a platform that takes none', () => {
    const bounds = PLATFORM_RULES.mastodon.poll!;
    expect(checkPoll('linkedin', poll(2), 0, bounds).map((v) => v.rule)).toEqual(['poll_not_supported']);
  });
});

describe('pollDuration', () => {
  it.each([
    [1, '1 minute'],
    [30, '30 minutes'],
    [60, '1 hour'],
    [360, '6 hours'],
    [1440, '1 day'],
    [4320, '3 days'],
    [90, '90 minutes'],
  ])('%i minutes read "%s"', (minutes, said) => expect(pollDuration(minutes)).toBe(said));
});
