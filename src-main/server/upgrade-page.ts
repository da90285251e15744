import type { FastifyInstance } from 'fastify';
import type { Plan } from '../../src-shared/contract';
import type { Engine } from '../engine/engine';
import { resolveUpgradeLink, type UpgradeLinkProblem } from '../engine/queries/upgrade-links';
import { getPlan, getWorkspace } from '../engine/queries/workspaces';
import { html, sendPage, untilHtml } from './pages';

const PROBLEMS: Record<UpgradeLinkProblem, { status: number; title: string; text: string }> = {
  unknown: {
    status: 404,
    title: 'Link not found',
    text:
      'This upgrade link is not one Postroom made, or Postroom was restarted since. ' +
      'Try the action again to get a fresh one.',
  },
  expired: {
    status: 410,
    title: 'Link expired',
    text: 'Upgrade links work for 30 minutes. Try the action again to get a fresh one.',
  },
};

const limit = (n: number | null, what: string) => (n === null ? `unlimited ${what}` : `up to ${n} ${what}`);
const planFacts = (plan: Plan) =>
  `${limit(plan.maxMembers, 'team members')}, ${limit(plan.maxClients, 'clients')}, ` +
  `${plan.dailyPostLimit} posts a day per client`;

/**
 * Seed 004's `upgrade_url`: the page behind an `upgrade_plan` action. It says which plan unlocks
 * what was refused and where the owner changes it; it changes nothing itself (plans are the
 * owner's act, SPEC §2), so a link that reaches someone else grants nothing.
 */
export function registerUpgradePage(app: FastifyInstance, engine: Engine): void {
  app.get('/upgrade/:token', async (request, reply) => {
    const token = String((request.params as { token?: unknown }).token ?? '');
    const resolved = resolveUpgradeLink(engine.ctx, token);
    if ('problem' in resolved) {
      const p = PROBLEMS[resolved.problem];
      return sendPage(reply, p.status, p.title, `<h1>${p.title}</h1><p>${p.text}</p>`);
    }
    const { claim } = resolved;
    const workspace = getWorkspace(engine.ctx.db, claim.workspaceId);
    const current = getPlan(engine.ctx.db, claim.currentPlan);
    const required = getPlan(engine.ctx.db, claim.requiredPlan);
    const now = workspace.plan.id === claim.currentPlan ? current : workspace.plan;
    const where = `<b>Settings → Plan → Switch to ${html(required.name)}</b>`;
    return sendPage(
      reply,
      200,
      `Upgrade ${workspace.name} to ${required.name}`,
      `<h1>Upgrade ${html(workspace.name)} to ${html(required.name)}</h1>
<p>${html(workspace.name)} is on the <b>${html(now.name)}</b> plan: ${html(planFacts(now))}.</p>
<p>What was asked needs the <b>${html(required.name)}</b> plan: ${html(planFacts(required))}.</p>
<p>The owner of the workspace changes its plan in Postroom: ${where}.</p>
<p class="note">This link works until ${untilHtml(new Date(claim.expiresAt).toISOString(), workspace.timezone)}.</p>`,
    );
  });
}
