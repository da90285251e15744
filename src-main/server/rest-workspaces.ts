import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { CreateWorkspaceInput, type FileUpload } from '../../src-shared/contract';
import { validationError } from '../../src-shared/errors';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/kernel/errors';
import { MAX_LOGO_BYTES } from '../engine/workspaces/logos';
import { sendError } from './loopback-guard';
import { bearerKey } from './request-buckets';

const FIELD_ALIASES: Record<string, string> = {
  name: 'name',
  workspaceType: 'workspaceType',
  workspace_type: 'workspaceType',
  planId: 'planId',
  plan_id: 'planId',
  timezone: 'timezone',
  integrations: 'integrations',
  squareLogo: 'squareLogo',
  square_logo: 'squareLogo',
  imageLogo: 'imageLogo',
  image_logo: 'imageLogo',
};

const FILE_TOO_LARGE = 'file size must be less than 10mb';

/**
 * `POST /api/workspaces/add` (seed 001): multipart with name, workspaceType, planId, squareLogo,
 * imageLogo and integrations (a JSON string). Logos are limited while streaming, so an oversized
 * file is refused without being held in memory whole.
 */
export async function registerWorkspaceRoutes(app: FastifyInstance, engine: Engine): Promise<void> {
  // Multipart is this route's alone: in a child scope, its hooks (three async ones per request)
  // run for this route only instead of for every request of the API.
  await app.register((scope) => workspaceRoutes(scope, engine));
}

async function workspaceRoutes(app: FastifyInstance, engine: Engine): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: MAX_LOGO_BYTES, files: 2, fields: 10, fieldSize: 256 * 1024, parts: 12 },
  });

  app.post('/api/workspaces/add', async (request, reply) => {
    const raw = bearerKey(request);
    const key = raw ? engine.authenticateKey(raw) : null;
    if (!key)
      return sendError(reply, {
        code: 'unauthorized',
        message: 'a valid admin key is required (Authorization: Bearer …)',
      });
    if (key.scope !== 'install_admin') {
      return sendError(reply, { code: 'forbidden', message: 'this endpoint needs the install admin key' });
    }
    if (!request.isMultipart()) {
      return sendError(reply, { code: 'validation_failed', message: 'send the workspace as multipart/form-data' });
    }

    const fields: Record<string, unknown> = {};
    try {
      for await (const part of request.parts()) {
        const name = FIELD_ALIASES[part.fieldname];
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (name === 'squareLogo' || name === 'imageLogo') {
            fields[name] = {
              fileName: part.filename.slice(0, 255),
              dataBase64: bytes.toString('base64'),
            } satisfies FileUpload;
          }
        } else if (name && typeof part.value === 'string') {
          fields[name] = part.value;
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') {
        return sendError(reply, {
          code: 'validation_failed',
          message: FILE_TOO_LARGE,
          details: { maxBytes: MAX_LOGO_BYTES },
        });
      }
      // A body that is not well-formed multipart (a bad boundary, a truncated part) is the caller's mistake.
      return sendError(reply, {
        code: 'validation_failed',
        message: 'the multipart body could not be read',
        details: { reason: code ?? 'malformed' },
      });
    }

    if (typeof fields.integrations === 'string') {
      try {
        fields.integrations = fields.integrations.trim() === '' ? [] : JSON.parse(fields.integrations);
      } catch {
        return sendError(reply, {
          code: 'validation_failed',
          message: 'integrations must be a JSON array',
          details: { fields: { integrations: 'not valid JSON' } },
        });
      }
    }
    if (fields.name === undefined || (typeof fields.name === 'string' && fields.name.trim() === '')) {
      return sendError(reply, {
        code: 'parameter_missing',
        message: 'name is required',
        details: { fields: { name: 'name is required' } },
      });
    }
    const parsed = CreateWorkspaceInput.safeParse(fields);
    if (!parsed.success) return sendError(reply, validationError(parsed.error.issues));

    try {
      // Made by the install admin key rather than a member, but the same operation as `workspace.create`.
      const { workspace, apiKey } = await engine.perform('workspace.create', null, () =>
        engine.addWorkspaceAsAdmin(parsed.data, key),
      );
      return reply.code(200).send({
        status: 200,
        data: { workspaceId: workspace.id, slug: workspace.slug, layoutType: workspace.layoutType, apiKey },
        message: 'workspace successfully added',
      });
    } catch (err) {
      if (err instanceof AppError) return sendError(reply, err.toObject());
      throw err;
    }
  });
}
