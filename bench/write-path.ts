import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../src-main/engine/kernel/clock';
import { DATABASE_FILE } from '../src-main/engine/db/database';
import { Engine } from '../src-main/engine/engine';
import { newId } from '../src-main/engine/kernel/ids';
import type { Agency } from './lib/dataset';
import { figure, round, type Figure } from './lib/figures';

/*
 * `write_path`: post groups of two deliveries and an activity entry each, through the engine's
 * public entry point (`post.create` on the contract: validation, permissions, connections, the
 * daily limit, the rows, the log), against raw better-sqlite3 inserting the same rows, one
 * transaction per group, into the same database. The two take turns, so both see the same machine.
 */
export async function writePathFigure(dataDir: string, agency: Agency, quick: boolean): Promise<Figure> {
  const engine = await Engine.open({ dataDir, secrets: agency.secrets, clock: systemClock });
  // Writes wait for the integrity check that runs after the open: not part of the write path.
  await engine.ctx.integrity.passed;
  const raw = new Database(join(dataDir, DATABASE_FILE));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  const perRound = quick ? 200 : 1500;
  const rounds = 4;
  // Times far enough ahead and spread over the clients that no day fills up (100 a client a day).
  const base = agency.now.getTime() + 60 * 24 * 60 * 60_000;
  let made = 0;
  const nextTime = () => new Date(base + made++ * 60 * 60_000).toISOString();

  const insertGroup = raw.prepare(
    `INSERT INTO post_groups (id, workspace_id, managed_user_id, text, platform_texts, scheduled_at, created_at,
                              updated_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = raw.prepare(
    `INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state, due_at, local_day,
                             next_attempt_at, idempotency_key, updated_at)
     VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?)`,
  );
  const insertActivity = raw.prepare(
    `INSERT INTO activity (id, workspace_id, at, actor_kind, actor_id, action, object_kind, object_id, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rawGroup = raw.transaction((k: number, text: string, at: string) => {
    const id = newId('pg');
    const now = new Date().toISOString();
    const userId = agency.userIds[k]!;
    insertGroup.run(id, agency.workspaceId, userId, text, '{}', at, now, now, agency.profileId);
    for (const platformId of agency.platformIds[k]!) {
      insertDelivery.run(
        newId('dlv'),
        id,
        userId,
        platformId,
        platformId.split('-', 1)[0],
        at,
        at.slice(0, 10),
        at,
        randomUUID(),
        now,
      );
    }
    insertActivity.run(
      newId('act'),
      agency.workspaceId,
      now,
      'member',
      agency.profileId,
      'post.scheduled',
      'post_group',
      id,
      `Scheduled for ${at} on ${agency.platformIds[k]!.join(', ')} for Client ${k}`,
    );
  });

  let engineMs = 0;
  let rawMs = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      for (let i = 0; i < perRound; i++) {
        const k = made % agency.userIds.length;
        rawGroup(k, `Raw post ${made}: news, offers and a link https://example.com/${made}`, nextTime());
      }
      rawMs += performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < perRound; i++) {
        const k = made % agency.userIds.length;
        await engine.call('post.create', {
          workspaceId: agency.workspaceId,
          userId: agency.userIds[k],
          post: {
            text: `Engine post ${made}: news, offers and a link https://example.com/${made}`,
            platformIds: agency.platformIds[k],
            scheduledTime: nextTime(),
          },
        });
      }
      engineMs += performance.now() - t0;
    }
  } finally {
    raw.close();
    engine.close();
  }
  const groups = perRound * rounds;
  const postroomPerS = (groups / engineMs) * 1000;
  const rawPerS = (groups / rawMs) * 1000;
  console.log(`  write_path: engine ${round(postroomPerS)} groups/s, raw ${round(rawPerS)} groups/s`);
  return figure(
    {
      name: 'write_path',
      value: round(postroomPerS),
      unit: 'groups/s',
      baseline: round(rawPerS),
      ratio: postroomPerS / rawPerS,
      target: 0.5,
      target_of: 'ratio',
      better: 'higher',
      postroom_per_s: round(postroomPerS),
      raw_per_s: round(rawPerS),
      groups_each: groups,
      what:
        'post.create through the engine (2 deliveries + 1 activity entry a group) vs raw better-sqlite3 inserting ' +
        'the same rows, one transaction per group, taking turns on the same database',
    },
    quick,
  );
}
