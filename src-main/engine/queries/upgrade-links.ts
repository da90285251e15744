import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PlanId } from '../../../src-shared/contract';
import type { ErrorAction } from '../../../src-shared/errors';
import type { EngineContext } from '../kernel/context';
import { getPlan, getWorkspace } from './workspaces';

/**
 * Seed 004's `upgrade_plan` action: a refusal for want of a plan carries a link to a page that
 * says which plan unlocks it, valid for 30 minutes ("Magic link … Expires in 30 minutes").
 *
 * The link needs no row: its token is the workspace, the two plans and the expiry, signed with
 * the process's random key (`ctx.links.signingKey`, compared in constant time). So it can be made
 * inside a transaction that the refusal then rolls back, and it lapses when the app stops. The
 * page only informs (the plan is the owner's to change, in Settings → Plan): it grants nothing.
 */
export const UPGRADE_LINK_TTL_MS = 30 * 60 * 1000;

interface UpgradeClaim {
  workspaceId: string;
  currentPlan: PlanId;
  requiredPlan: PlanId;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** 128 bits of HMAC-SHA256: the token must fit a path segment (Fastify allows 100 characters). */
const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(payload).digest().subarray(0, 16).toString('base64url');

export function upgradePlanAction(
  ctx: EngineContext,
  workspaceId: string,
  requiredPlanId: PlanId,
): Extract<ErrorAction, { type: 'upgrade_plan' }> {
  const current = getPlan(ctx.db, getWorkspace(ctx.db, workspaceId).plan.id);
  const required = getPlan(ctx.db, requiredPlanId);
  const expiresAt = ctx.clock.now().getTime() + UPGRADE_LINK_TTL_MS;
  // `~` never occurs in ids (base64url) or plan ids: the payload reads back unambiguously.
  const payload = [workspaceId, current.id, required.id, Math.ceil(expiresAt / 1000).toString(36)].join('~');
  return {
    type: 'upgrade_plan',
    label: `Upgrade to ${required.name}`,
    current_plan: current.id,
    current_plan_display_name: current.name,
    required_plan: required.id,
    required_plan_display_name: required.name,
    upgrade_url: `${ctx.links.baseUrl}/upgrade/${payload}~${sign(ctx.links.signingKey, payload)}`,
    expires_at: new Date(expiresAt).toISOString(),
  };
}

export type UpgradeLinkProblem = 'unknown' | 'expired';

/** What an upgrade link's token says, when its signature holds and it has not expired. */
export function resolveUpgradeLink(
  ctx: EngineContext,
  token: string,
): { claim: UpgradeClaim } | { problem: UpgradeLinkProblem } {
  const cut = token.lastIndexOf('~');
  const payload = token.slice(0, Math.max(cut, 0));
  const parts = payload.split('~');
  if (cut < 0 || parts.length !== 4 || token.length > 100) return { problem: 'unknown' };
  const expected = Buffer.from(sign(ctx.links.signingKey, payload));
  const given = Buffer.from(token.slice(cut + 1));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'unknown' };
  const [workspaceId, currentPlan, requiredPlan, expires] = parts as [string, PlanId, PlanId, string];
  const claim: UpgradeClaim = { workspaceId, currentPlan, requiredPlan, expiresAt: parseInt(expires, 36) * 1000 };
  if (!(claim.expiresAt > ctx.clock.now().getTime())) return { problem: 'expired' };
  return { claim };
}
