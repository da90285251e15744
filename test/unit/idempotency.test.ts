import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/engine/db/database';
import { pruneIdempotencyKeys, requestDigest, runOnce } from '../../src-main/engine/kernel/idempotency';
import { OWNER, openTestEngine } from '../support/engine';

async function engineWithMember() {
  const t = await openTestEngine();
  const state = await t.engine.call('app.setup', { ...OWNER, workspace: { name: 'Acme' } });
  const memberId = (t.engine.ctx.db.prepare(`SELECT id FROM members`).get() as { id: string }).id;
  return { ...t, memberId, workspaceId: state.currentWorkspaceId! };
}

const setting = (db: Database.Database, key: string) =>
  (db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined)?.value ?? null;

describe('idempotency keys are written in the change’s own transaction (issue 12)', () => {
  it('another connection sees the key the moment it sees the change, before the answer is stored', async () => {
    const { engine, memberId, dataDir } = await engineWithMember();
    const reader = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    let seenAtCommit: unknown = null;
    await runOnce(engine.ctx, { memberId, key: 'k-1', channel: 'x.change', request: { a: 1 } }, async () => {
      engine.ctx.db.transaction(() => engine.setSetting('marker', 'changed'))();
      seenAtCommit = {
        change: setting(reader, 'marker'),
        key: reader.prepare(`SELECT key, response FROM idempotency_keys`).all(),
      };
      return { ok: true, data: 'first answer' };
    });
    expect(seenAtCommit).toEqual({ change: 'changed', key: [{ key: 'k-1', response: null }] });
    expect(reader.prepare(`SELECT response FROM idempotency_keys`).get()).toEqual({
      response: JSON.stringify({ ok: true, data: 'first answer' }),
    });
    reader.close();
  });

  it('a change rolled back leaves no key; a replay then runs again', async () => {
    const { engine, memberId } = await engineWithMember();
    const call = { memberId, key: 'k-2', channel: 'x.change', request: {} };
    let runs = 0;
    const failing = async () => {
      runs++;
      try {
        engine.ctx.db.transaction(() => {
          engine.setSetting('half', 'written');
          throw new Error('the rule says no');
        })();
      } catch {
        return { ok: false as const, error: { code: 'conflict' as const, message: 'no' } };
      }
      return { ok: true as const, data: null };
    };
    expect((await runOnce(engine.ctx, call, failing)).ok).toBe(false);
    expect(setting(engine.ctx.db, 'half')).toBeNull();
    expect(engine.ctx.db.prepare(`SELECT count(*) AS n FROM idempotency_keys`).get()).toEqual({ n: 0 });
    await runOnce(engine.ctx, call, failing);
    expect(runs).toBe(2);
  });

  it('a key without its answer (a crash between commit and answer) is told as already applied', async () => {
    const { engine, memberId } = await engineWithMember();
    engine.ctx.db
      .prepare(
        `INSERT INTO idempotency_keys (member_id, key, channel, request_hash, created_at)
         VALUES (?, 'k-3', 'x.change', ?, '')`,
      )
      .run(memberId, requestDigest('x.change', { b: [1, 2] }));
    const replay = await runOnce(
      engine.ctx,
      { memberId, key: 'k-3', channel: 'x.change', request: { b: [1, 2] } },
      () => {
        throw new Error('must not run again');
      },
    );
    expect(replay).toMatchObject({ ok: false, error: { code: 'conflict', details: { alreadyApplied: true } } });
  });

  it('hashes requests whatever their key order, and forgets keys after the kept period only', async () => {
    expect(requestDigest('c', { a: 1, b: { c: 2, d: 3 } })).toEqual(requestDigest('c', { b: { d: 3, c: 2 }, a: 1 }));
    expect(requestDigest('c', { a: 1 })).not.toEqual(requestDigest('d', { a: 1 }));
    const { engine, memberId } = await engineWithMember();
    const insert = engine.ctx.db.prepare(
      `INSERT INTO idempotency_keys (member_id, key, channel, request_hash, created_at) VALUES (?, ?, 'c', x'00', ?)`,
    );
    const now = new Date('2026-06-01T00:00:00Z');
    insert.run(memberId, 'recent', new Date(now.getTime() - 31 * 86400_000).toISOString());
    insert.run(memberId, 'old', new Date(now.getTime() - 50 * 86400_000).toISOString());
    expect(pruneIdempotencyKeys(engine.ctx.db, now)).toBe(1);
    expect(engine.ctx.db.prepare(`SELECT key FROM idempotency_keys`).all()).toEqual([{ key: 'recent' }]);
  });
});
