import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliveryStates, type DeliveryState } from '../../src-shared/posts';
import { openDatabase, type Db } from '../../src-main/engine/db/database';
import { stateSetOf, statesIn, statusOfSet } from '../../src-main/engine/queries/group-summaries';
import { readPostGroup, readPostGroups } from '../../src-main/engine/queries/post-groups';
import { FakeClock } from '../support/engine';
import { tempDir } from '../support/temp';

/*
 * group_summaries (migration 019) is kept by triggers: after any sequence of changes to groups,
 * deliveries and their parts, made with plain SQL as any code path would, every summary equals a
 * fresh computation, both SQLite's (the view `fresh_group_summaries`) and the engine's own
 * reading of the group from its deliveries (`readPostGroup`).
 */

const GROUPS = ['g1', 'g2', 'g3'];
const PLATFORMS = ['x-1', 'mastodon-1', 'bluesky-1'];

type Op =
  | { kind: 'addGroup'; group: number; at: string | null }
  | { kind: 'addDelivery'; group: number; platform: number; state: DeliveryState }
  | { kind: 'setState'; delivery: number; state: DeliveryState }
  | { kind: 'publish'; delivery: number; at: string }
  | { kind: 'retryLater'; delivery: number; at: string; error: string | null }
  | { kind: 'reschedule'; group: number; at: string | null }
  | { kind: 'addPart'; delivery: number; part: number }
  | { kind: 'deletePart'; delivery: number }
  | { kind: 'deleteDelivery'; delivery: number }
  | { kind: 'deleteGroup'; group: number };

const instant = fc
  .integer({ min: 0, max: 86_400 * 60 })
  .map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString());
const state = fc.constantFrom(...deliveryStates);
const group = fc.nat({ max: GROUPS.length - 1 });
const delivery = fc.nat({ max: GROUPS.length * PLATFORMS.length - 1 });
// Weighted so that most groups end up with several deliveries in several states before a delete.
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('addGroup' as const), group, at: fc.option(instant, { nil: null }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('addDelivery' as const), group, platform: fc.nat({ max: 2 }), state }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('setState' as const), delivery, state }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('publish' as const), delivery, at: instant }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('retryLater' as const),
      delivery,
      at: instant,
      error: fc.option(fc.string(), { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reschedule' as const), group, at: fc.option(instant, { nil: null }) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('addPart' as const), delivery, part: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deletePart' as const), delivery }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteDelivery' as const), delivery }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), group }) },
);

/** Delivery n: group n / 3, platform n % 3 (it may not exist: the statement then changes nothing). */
const deliveryId = (n: number) => `d${Math.floor(n / PLATFORMS.length) + 1}-${n % PLATFORMS.length}`;

function apply(db: Db, o: Op): void {
  switch (o.kind) {
    case 'addGroup':
      db.prepare(
        `INSERT OR IGNORE INTO post_groups (id, workspace_id, managed_user_id, text,
                                            scheduled_at, created_at, updated_at)
         VALUES (?, 'w1', 'u1', 'hello', ?, '2026-01-01T00:00:00.000Z', '')`,
      ).run(GROUPS[o.group], o.at);
      return;
    case 'addDelivery':
      db.prepare(
        `INSERT OR IGNORE INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state,
                                           due_at, next_attempt_at, idempotency_key, updated_at)
         SELECT ?, id, 'u1', ?, ?, ?, scheduled_at, scheduled_at, ?, '' FROM post_groups WHERE id = ?`,
      ).run(
        `d${o.group + 1}-${o.platform}`,
        PLATFORMS[o.platform],
        PLATFORMS[o.platform]!.split('-')[0],
        o.state,
        `k${o.group}-${o.platform}`,
        GROUPS[o.group],
      );
      return;
    case 'setState':
      db.prepare(`UPDATE deliveries SET state = ? WHERE id = ?`).run(o.state, deliveryId(o.delivery));
      return;
    case 'publish':
      db.prepare(
        `UPDATE deliveries SET state = 'published', attempts = attempts + 1, platform_post_id = 'p' || id,
           platform_post_url = 'https://social.example/' || id, published_at = ? WHERE id = ?`,
      ).run(o.at, deliveryId(o.delivery));
      return;
    case 'retryLater':
      db.prepare(`UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`).run(
        o.at,
        o.error,
        deliveryId(o.delivery),
      );
      return;
    case 'reschedule':
      db.prepare(`UPDATE post_groups SET scheduled_at = ? WHERE id = ?`).run(o.at, GROUPS[o.group]);
      db.prepare(`UPDATE deliveries SET due_at = ? WHERE post_group_id = ?`).run(o.at, GROUPS[o.group]);
      return;
    case 'addPart':
      db.prepare(
        `INSERT OR IGNORE INTO delivery_parts (delivery_id, part, platform_post_id, platform_post_url, published_at)
         SELECT id, ?, 'part' || ?, NULL, '2026-02-01T00:00:00.000Z' FROM deliveries WHERE id = ?`,
      ).run(o.part, o.part, deliveryId(o.delivery));
      return;
    case 'deletePart':
      db.prepare(`DELETE FROM delivery_parts WHERE delivery_id = ? AND part = 0`).run(deliveryId(o.delivery));
      return;
    case 'deleteDelivery':
      db.prepare(`DELETE FROM deliveries WHERE id = ?`).run(deliveryId(o.delivery));
      return;
    case 'deleteGroup':
      db.prepare(`DELETE FROM post_groups WHERE id = ?`).run(GROUPS[o.group]);
      return;
  }
}

const summaries = (db: Db, from: 'group_summaries' | 'fresh_group_summaries') =>
  db.prepare(`SELECT * FROM ${from} ORDER BY group_rowid`).all();

async function emptyAgency(): Promise<Db> {
  const db = await openDatabase({ dataDir: tempDir(), clock: new FakeClock() });
  db.exec(
    `INSERT INTO workspaces (id, name, slug, workspace_type, layout_type, plan_id, timezone, created_at, updated_at)
       VALUES ('w1', 'Acme', 'acme', 'iframe embed', 'left navigation', 'free', 'UTC', '', '');
     INSERT INTO managed_users (id, workspace_id, email, display_name, timezone, created_at, updated_at)
       VALUES ('u1', 'w1', 'c@x.test', 'C', 'UTC', '', '');`,
  );
  return db;
}

describe('group summaries (migration 019)', () => {
  it('equal a fresh computation after any sequence of changes to groups, deliveries and parts', async () => {
    const db = await emptyAgency();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        db.exec(`DELETE FROM post_groups`);
        for (const o of ops) apply(db, o);
        // SQLite's own fresh computation, row for row (nothing left behind for a deleted group).
        expect(summaries(db, 'group_summaries')).toEqual(summaries(db, 'fresh_group_summaries'));
        // The engine's: a page (read from the summaries) shows each group as reading it afresh does.
        const groups = db.prepare<[], { rowid: number; id: string }>(`SELECT rowid, id FROM post_groups`).all();
        const page = readPostGroups(
          db,
          groups.map((g) => g.rowid),
        );
        expect(page).toEqual(groups.map((g) => readPostGroup(db, g.id)));
      }),
      { numRuns: 200 },
    );
    db.close();
  });

  it('knows every set of states by one bit each, and the status each set gives', () => {
    expect(stateSetOf(['draft'])).toBe(1);
    expect(stateSetOf(['paused'])).toBe(128);
    expect(statesIn(stateSetOf(['failed', 'published']))).toEqual(['published', 'failed']);
    const cells: [DeliveryState[], string][] = [
      [[], 'cancelled'],
      [['draft'], 'draft'],
      [['scheduled'], 'scheduled'],
      [['published'], 'published'],
      [['cancelled'], 'cancelled'],
      [['paused'], 'paused'],
      [['publishing', 'published'], 'publishing'],
      [['needs_attention', 'published'], 'needs_attention'],
      [['published', 'failed'], 'partially_published'],
      [['failed', 'cancelled'], 'failed'],
      [['scheduled', 'paused'], 'scheduled'],
      [['draft', 'cancelled'], 'cancelled'],
    ];
    for (const [states, status] of cells) expect([states, statusOfSet(stateSetOf(states))]).toEqual([states, status]);
  });
});
