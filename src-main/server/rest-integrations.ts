import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../engine/engine';
import { authorize } from '../engine/kernel/access';
import { getWorkspace } from '../engine/queries/workspaces';
import { testIntegration } from '../engine/workspaces/integrations';
import { parse, principalFrom } from './rest-auth';

const Id = z.string().min(1).max(64);

/**
 * The workspace's platform integrations (SPEC §5), read with the workspace key: which platforms
 * are set up, and whether each answers. Adding them is the owner's (Settings → Integrations) or the
 * install admin's (`POST /api/workspaces/add`); the workspace key cannot change them.
 */
export function registerIntegrationRoutes(app: FastifyInstance, engine: Engine): void {
  const ctx = engine.ctx;
  const idOf = (params: unknown) => parse(Id, (params as { integrationId?: unknown }).integrationId);

  app.get('/api/v1/workspace/integrations', async (request) => {
    const p = principalFrom(engine, request);
    authorize(p, 'workspace.read');
    return getWorkspace(ctx.db, p.workspaceId).integrations;
  });

  app.post('/api/v1/workspace/integrations/:integrationId/test', async (request) =>
    testIntegration(ctx, principalFrom(engine, request), idOf(request.params)),
  );
}
