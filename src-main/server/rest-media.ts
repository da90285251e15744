import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AltText, ListMediaQuery, UpdateMediaInput } from '../../src-shared/media';
import type { Engine } from '../engine/engine';
import { LIBRARY_LIMITS, refused } from '../engine/files/probe';
import { diskFullAsAppError, incomingPath } from '../engine/files/store';
import { AppError } from '../engine/kernel/errors';
import { addReceivedFile, deleteMedia, getMedia, listMedia, updateMedia } from '../engine/media/library';
import { parse, principalFrom } from './rest-auth';
import { actingUserId } from './rest-connections';

const idOf = (request: FastifyRequest) => parse(z.string().min(1).max(64), (request.params as { id?: unknown }).id);

/**
 * The media library over REST (issue 14 item 2; seed 000 defines no media route, so these follow
 * its post-group routes): `POST /api/v1/media` takes one file as multipart/form-data (`file`,
 * optional `altText`) with `x-publora-user-id`; the file streams to the data folder, is probed and
 * is refused naming the rule when a platform could not take it. Posts then name items by
 * `mediaIds`.
 */
export async function registerMediaRoutes(app: FastifyInstance, engine: Engine): Promise<void> {
  await app.register((scope) => mediaRoutes(scope, engine));
}

async function mediaRoutes(app: FastifyInstance, engine: Engine): Promise<void> {
  const ctx = engine.ctx;
  await app.register(multipart, {
    limits: { fileSize: LIBRARY_LIMITS.video.maxBytes, files: 1, fields: 4, fieldSize: 8 * 1024, parts: 5 },
  });

  app.get('/api/v1/media', async (request) => {
    const p = principalFrom(engine, request);
    return listMedia(ctx, p, actingUserId(p, request), parse(ListMediaQuery, request.query));
  });

  app.post('/api/v1/media', async (request, reply) => {
    const p = principalFrom(engine, request);
    const userId = actingUserId(p, request);
    if (!request.isMultipart())
      throw new AppError('validation_failed', 'send the file as multipart/form-data, in a part named file', {
        fields: { file: 'required' },
      });
    let file: { path: string; fileName: string } | null = null;
    let altText: string | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || file) {
            part.file.resume();
            continue;
          }
          const path = incomingPath(ctx.dataDir);
          file = { path, fileName: part.filename.slice(0, 255) || 'file' };
          await pipeline(part.file, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
          if (part.file.truncated) {
            const max = LIBRARY_LIMITS.video.maxBytes;
            throw refused(file.fileName, 'too_large', `it is over ${max / 1024 / 1024} MB, the media library's limit`);
          }
        } else if (part.fieldname === 'altText' && typeof part.value === 'string') {
          altText = parse(AltText, part.value);
        }
      }
    } catch (err) {
      if (file) await rm(file.path, { force: true });
      if (err instanceof AppError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'ENOSPC') throw diskFullAsAppError(err);
      throw new AppError('validation_failed', 'the multipart body could not be read', { reason: code ?? 'malformed' });
    }
    if (!file)
      throw new AppError('validation_failed', 'send the file in a part named file', { fields: { file: 'required' } });
    const item = await addReceivedFile(ctx, p, userId, { ...file, altText });
    return reply.code(201).send(item);
  });

  app.get('/api/v1/media/:id', async (request) => getMedia(ctx, principalFrom(engine, request), idOf(request)));

  app.patch('/api/v1/media/:id', async (request) =>
    updateMedia(ctx, principalFrom(engine, request), idOf(request), parse(UpdateMediaInput, request.body)),
  );

  app.delete('/api/v1/media/:id', async (request) => {
    const id = idOf(request);
    deleteMedia(ctx, principalFrom(engine, request), id);
    return { id, deleted: true as const };
  });
}
