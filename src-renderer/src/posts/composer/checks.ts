import type { Platform } from '../../../../src-shared/contract';
import type { Connection } from '../../../../src-shared/connections';
import {
  checkPoll,
  checkPost,
  countText,
  PLATFORM_RULES,
  type MediaInfo,
  type PollInfo,
  type RuleViolation,
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
