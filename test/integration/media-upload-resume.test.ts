import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, RequestOf, ResponseOf, Result } from '../../src-shared/contract';
import { uploadFile, UploadFailed, type ContractCall, type UploadMemory } from '../../src-renderer/src/media/upload';
import { OWNER, openTestEngine, type TestEngine } from '../support/engine';
import { jpegOf, videoOf } from '../support/media-fixtures';

/*
 * The renderer's chunked upload (src-renderer/src/media/upload.ts) against the real engine's
 * contract (issue 14 items 2 and 3): progress is the engine's own count; an answer lost on the way
 * is asked for again and the upload carries on; an upload cut off (the app closed) resumes from
 * where the engine got to when the same file is picked again, and never adds it twice.
 */

const engines: TestEngine[] = [];
afterEach(async () => {
  for (const t of engines.splice(0)) await t.engine.close();
});

async function world() {
  const t = await openTestEngine();
  engines.push(t);
  const state = await t.engine.call('app.setup', {
    ...OWNER,
    workspace: { name: 'Agency', planId: 'team', integrations: [] },
  });
  const workspaceId = state.currentWorkspaceId!;
  const client = await t.engine.call('client.create', {
    workspaceId,
    client: { email: 'client@acme.test', displayName: 'Acme Bakery', timezone: 'Europe/Paris' },
  });
  const calls: string[] = [];
  const call: ContractCall = async <C extends Channel>(channel: C, request: RequestOf<C>) => {
    calls.push(channel);
    return (await t.engine.dispatch(channel, request)) as Result<ResponseOf<C>>;
  };
  return { t, workspaceId, userId: client.id, call, calls };
}

const mapMemory = (): UploadMemory & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, get: (k) => map.get(k) ?? null, set: (k, v) => void map.set(k, v), remove: (k) => void map.delete(k) };
};

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const NINE_MB = 9 * 1024 * 1024;

describe('uploading into the media library in chunks', () => {
  it("reports the engine's progress chunk by chunk and adds the file once", async () => {
    const w = await world();
    const data = videoOf({ width: 1080, height: 1920, seconds: 5, minBytes: NINE_MB });
    const progress: number[] = [];
    const item = await uploadFile(
      w.call,
      new File([data], 'opening.mp4', { type: 'video/mp4' }),
      { workspaceId: w.workspaceId, userId: w.userId, altText: 'The opening' },
      (received) => progress.push(received),
    );
    expect(progress).toEqual([0, 4 * 1024 * 1024, 8 * 1024 * 1024, data.length]);
    expect(item).toMatchObject({ kind: 'video', fileName: 'opening.mp4', sha256: sha(data), altText: 'The opening' });
    expect(w.calls.filter((c) => c === 'media.uploadChunk')).toHaveLength(3);
  });

  it('carries on after an answer lost on the way, from where the engine says it got to', async () => {
    const w = await world();
    const data = videoOf({ width: 1080, height: 1920, seconds: 5, minBytes: NINE_MB });
    let chunks = 0;
    // The second chunk reaches the engine, but its answer is lost (the connection drops).
    const lossy: ContractCall = async (channel, request) => {
      const answer = await w.call(channel, request);
      if (channel === 'media.uploadChunk' && ++chunks === 2)
        return { ok: false, error: { code: 'internal', message: 'the connection to the app was lost' } };
      return answer;
    };
    const progress: number[] = [];
    const item = await uploadFile(
      lossy,
      new File([data], 'opening.mp4'),
      { workspaceId: w.workspaceId, userId: w.userId },
      (received) => progress.push(received),
    );
    expect(item.sha256).toBe(sha(data));
    expect(w.calls).toContain('media.getUpload');
    // The lost chunk was not sent again: the engine had it.
    expect(chunks).toBe(3);
    expect(progress.at(-1)).toBe(data.length);
  });

  it('an upload cut off (the app closed) resumes when the same file is picked again', async () => {
    const w = await world();
    const data = videoOf({ width: 1080, height: 1920, seconds: 5, minBytes: NINE_MB });
    const file = new File([data], 'opening.mp4', { lastModified: 1_700_000_000_000 });
    const memory = mapMemory();
    let chunks = 0;
    const dies: ContractCall = async (channel, request) => {
      if (channel === 'media.uploadChunk' && ++chunks === 2) throw new Error('the app was closed');
      return w.call(channel, request);
    };
    const target = { workspaceId: w.workspaceId, userId: w.userId };
    await expect(uploadFile(dies, file, target, () => {}, memory)).rejects.toThrow('the app was closed');
    expect(memory.map.size).toBe(1);

    const progress: number[] = [];
    const item = await uploadFile(w.call, file, target, (received) => progress.push(received), memory);
    expect(progress[0]).toBe(4 * 1024 * 1024);
    expect(item.sha256).toBe(sha(data));
    expect(w.calls.filter((c) => c === 'media.beginUpload')).toHaveLength(1);
    expect(memory.map.size).toBe(0);
    const list = await w.t.engine.call('media.list', { workspaceId: w.workspaceId, userId: w.userId, limit: 200 });
    expect(list.map((m) => m.fileName)).toEqual(['opening.mp4']);
  });

  it('a bad file is refused naming the file and the rule, and nothing is kept', async () => {
    const w = await world();
    const cut = jpegOf(800, 800, 90).subarray(0, 2000);
    const memory = mapMemory();
    const err = await uploadFile(
      w.call,
      new File([cut], 'cut-off.jpg'),
      { workspaceId: w.workspaceId, userId: w.userId },
      () => {},
      memory,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadFailed);
    expect((err as UploadFailed).error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^cut-off\.jpg: the image ends early/),
      details: { fileName: 'cut-off.jpg', rule: 'truncated' },
    });
    expect(memory.map.size).toBe(0);
    expect(await w.t.engine.call('media.list', { workspaceId: w.workspaceId, userId: w.userId, limit: 200 })).toEqual(
      [],
    );
  });
});
