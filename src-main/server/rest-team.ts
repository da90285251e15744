import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ActivityFilter } from '../../src-shared/contract';
import { InviteInput, UpdateMemberInput } from '../../src-shared/team';
import { authorize } from '../engine/kernel/access';
import { activityCsv, listActivity } from '../engine/kernel/activity';
import type { Engine } from '../engine/engine';
import {
  forceLogout,
  invitationUrl,
  inviteMember,
  listInvitations,
  listMembers,
  revokeInvitation,
  setMemberActive,
  updateMember,
} from '../engine/team/team';
import { parse, principalFrom } from './rest-auth';

const Id = z.string().min(1).max(64);
const ActivityQuery = ActivityFilter.extend({
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  format: z.enum(['json', 'csv']).default('json'),
});

/** Members, invitations, force logout and the activity log, in the style of seed 000's routes. */
export function registerTeamRoutes(app: FastifyInstance, engine: Engine): void {
  const ctx = engine.ctx;

  app.get('/api/v1/workspace/members', async (request) => listMembers(ctx, principalFrom(engine, request)));

  app.patch('/api/v1/workspace/members/:memberId', async (request) => {
    const p = principalFrom(engine, request);
    return updateMember(
      ctx,
      p,
      parse(Id, (request.params as { memberId: string }).memberId),
      parse(UpdateMemberInput, request.body),
    );
  });

  for (const [verb, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(`/api/v1/workspace/members/:memberId/${verb}`, async (request) => {
      const memberId = parse(Id, (request.params as { memberId: string }).memberId);
      const p = principalFrom(engine, request);
      return engine.perform('team.setMemberActive', p.workspaceId, () => setMemberActive(ctx, p, memberId, active));
    });
  }

  app.post('/api/v1/workspace/members/:memberId/force-logout', async (request) => {
    const memberId = parse(Id, (request.params as { memberId: string }).memberId);
    const p = principalFrom(engine, request);
    const ended = await engine.perform('team.forceLogout', p.workspaceId, () => forceLogout(ctx, p, memberId));
    return { memberId, sessionsEnded: ended };
  });

  app.get('/api/v1/workspace/invitations', async (request) => listInvitations(ctx, principalFrom(engine, request)));

  app.post('/api/v1/workspace/invitations', async (request, reply) => {
    const p = principalFrom(engine, request);
    const input = parse(InviteInput, request.body);
    const outcome = await inviteMember(
      ctx,
      p,
      input,
      engine.mailerFor,
      (code) => invitationUrl(engine.publicBaseUrl, code),
      'Your agency',
    );
    return reply.code(201).send({
      data: outcome.invitation,
      code: outcome.code,
      acceptUrl: invitationUrl(engine.publicBaseUrl, outcome.code),
      emailSent: outcome.emailSent,
    });
  });

  app.delete('/api/v1/workspace/invitations/:invitationId', async (request) => {
    const p = principalFrom(engine, request);
    return revokeInvitation(ctx, p, parse(Id, (request.params as { invitationId: string }).invitationId));
  });

  app.get('/api/v1/workspace/activity', async (request, reply) => {
    const p = principalFrom(engine, request);
    authorize(p, 'activity.read');
    const { limit, format, ...filter } = parse(ActivityQuery, request.query);
    const entries = listActivity(ctx.db, p.workspaceId, limit, filter);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(activityCsv(entries));
    return entries;
  });
}
