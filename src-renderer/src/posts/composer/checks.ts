import type { Platform } from '../../../../src-shared/contract';
import type { Connection } from '../../../../src-shared/connections';
import {
  checkFirstCommentTargets,
  checkFollowUps,
  checkPoll,
  checkPost,
  countText,
  PLATFORM_RULES,
  type MediaInfo,
  type PollInfo,
  type RuleViolation,
  type ThreadPartInfo,
} from '../../../../src-shared/platform-rules';
import { atHandle, platformName, platformOf } from '../posts';

/** One chosen target as the form sees it. */
export interface Target {
  platformId: string;
  platform: Platform;
  /** "X", or "Mastodon @agency" when two targets share a platform. */
  short: string;
  connection: Connection | undefined;
}

export interface TargetCheck {
  target: Target;
  count: number;
  max: number;
  violations: RuleViolation[];
  over: boolean;
}

/** The targets, named; two accounts on one platform are told apart by their handles. */
export function targetsOf(platformIds: readonly string[], accounts: readonly Connection[]): Target[] {
  const chosen = platformIds.flatMap((platformId) => {
    const connection = accounts.find((c) => c.platformId === platformId);
    const platform = connection?.platform ?? platformOf(platformId);
    return platform ? [{ platformId, platform, connection }] : [];
  });
  return chosen.map((t) => {
    const shared = chosen.filter((o) => o.platform === t.platform).length > 1;
    const short =
      shared && t.connection
        ? `${platformName(t.platform)} ${atHandle(t.connection.handle)}`
        : platformName(t.platform);
    return { ...t, short };
  });
}

/**
 * Each target's text checked as the engine checks it (src-shared/platform-rules): counted the
 * platform's way, against its limit (a Mastodon instance may set its own) and its image rules.
 */
export function checkTargets(targets: readonly Target[], textOf: (t: Target) => string, media: MediaInfo[]) {
  return targets.map((target): TargetCheck => {
    const value = textOf(target);
    const max = target.connection?.maxTextLength ?? PLATFORM_RULES[target.platform].maxTextLength;
    const violations = checkPost(target.platform, value, media, max);
    return {
      target,
      count: countText(target.platform, value),
      max,
      violations,
      over: violations.some((v) => v.rule === 'text_too_long'),
    };
  });
}

/**
 * The poll checked for each target as the engine checks it: by the bounds of the account's own
 * server where it set them (D127).
 */
export const checkPollTargets = (
  targets: readonly Target[],
  poll: PollInfo | null,
  mediaCount: number,
): RuleViolation[] => targets.flatMap((t) => checkPoll(t.platform, poll, mediaCount, t.connection?.pollLimits));

/**
 * What follows the post, checked for each target as the engine checks it (issue 14 item 4): the
 * thread's parts and the first comment by the platform's follow-up rule, a first comment no target
 * takes, and the poll.
 */
export function checkFollowUpTargets(
  targets: readonly Target[],
  followUps: { thread: readonly ThreadPartInfo[]; firstComment: string; poll: PollInfo | null },
  mediaCount: number,
): RuleViolation[] {
  const { thread, firstComment, poll } = followUps;
  return [
    ...targets.flatMap((t) =>
      checkFollowUps(t.platform, thread, firstComment, t.connection?.maxTextLength ?? undefined),
    ),
    ...checkFirstCommentTargets(
      targets.map((t) => t.platform),
      firstComment,
    ),
    ...checkPollTargets(targets, poll, mediaCount),
  ];
}

/**
 * The problems said under the post's text, each once: the thread editor and the poll show their
 * own, and a missing text is a problem only once the person has written something.
 */
export const problemsUnderText = (violations: readonly RuleViolation[], touched: boolean): string[] => [
  ...new Set(
    violations
      .filter((v) => !v.part && v.rule !== 'thread_not_supported' && !v.rule.startsWith('poll_'))
      .filter((v) => touched || v.rule !== 'text_required')
      .map((v) => v.message),
  ),
];
