import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Result } from '../../../src-shared/contract';
import type { Db } from '../db/database';
import type { EngineContext } from './context';

/**
 * Changes sent by desks with an idempotency key run at most once per (member, key), ever (issue 12
 * items 2 and 4; /work/coord/team-protocol.md). The key is written **in the same SQLite
 * transaction as the change**: while a keyed call runs, the first transaction that commits on its
 * behalf also inserts the key (`recordKeyOnCommit` hooks `db.transaction`), so either both are
 * in the file or neither. The answer is stored right after, and a replay gets that first answer.
 *
 * A refused call (the rules said no, nothing was written) records nothing: its replay is decided
 * again by the rules of that moment. A key reused for a different request is a `conflict`.
 * Between a change's commit and its answer being stored there is no await, so only a crash in
 * that instant leaves a key without its answer; a replay then says the change was already made.
 */

/** How long keys are kept: the protocol promises at least 30 days. */
export const IDEMPOTENCY_KEEP_DAYS = 45;

export interface KeyedCall {
  memberId: string;
  key: string;
  channel: string;
  request: unknown;
}

interface Pending {
  readonly memberId: string;
  readonly key: string;
  readonly channel: string;
  readonly requestHash: Buffer;
  readonly at: string;
  recorded: boolean;
  closed: boolean;
}

const pendingCall = new AsyncLocalStorage<Pending>();
const hooked = new WeakSet<Db>();

/** The request as a stable digest: keys sorted, so the same request hashes the same. */
export function requestDigest(channel: string, request: unknown): Buffer {
  return createHash('sha256')
    .update(channel)
    .update('\u0000')
    .update(stableJson(request ?? {}))
    .digest();
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Makes the outermost transaction that commits during a keyed call insert the call's key before it
 * commits. Costs one AsyncLocalStorage lookup per transaction when no keyed call is running.
 */
export function recordKeyOnCommit(db: Db): void {
  if (hooked.has(db)) return;
  hooked.add(db);
  const transaction = db.transaction.bind(db);
  let depth = 0;
  const insert = db.prepare(
    `INSERT INTO idempotency_keys (member_id, key, channel, request_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
  );
  db.transaction = ((fn: (...args: unknown[]) => unknown) =>
    transaction(function (this: unknown, ...args: unknown[]) {
      depth++;
      try {
        const result = fn.apply(this, args);
        const pending = depth === 1 ? pendingCall.getStore() : undefined;
        if (pending && !pending.recorded && !pending.closed) {
          insert.run(pending.memberId, pending.key, pending.channel, pending.requestHash, pending.at);
          pending.recorded = true;
        }
        return result;
      } finally {
        depth--;
      }
    })) as Db['transaction'];
}

const inFlight = new Map<string, Promise<Result<unknown>>>();

/**
 * Runs `run` at most once for the member's key. A replay (also one arriving while the first is
 * still running) is answered with the first answer.
 */
export async function runOnce(
  ctx: EngineContext,
  call: KeyedCall,
  run: () => Promise<Result<unknown>>,
): Promise<Result<unknown>> {
  const flightKey = `${call.memberId}\u0000${call.key}`;
  const running = inFlight.get(flightKey);
  if (running) return running.then((first) => sameRequestOr(ctx, call, first));
  const requestHash = requestDigest(call.channel, call.request);
  const earlier = replayOf(ctx.db, call, requestHash);
  if (earlier) return earlier;
  const pending: Pending = {
    memberId: call.memberId,
    key: call.key,
    channel: call.channel,
    requestHash,
    at: ctx.clock.now().toISOString(),
    recorded: false,
    closed: false,
  };
  const flight = (async () => {
    const result = await pendingCall.run(pending, run);
    pending.closed = true;
    const answer = JSON.stringify(result);
    if (pending.recorded)
      ctx.db
        .prepare(`UPDATE idempotency_keys SET response = ? WHERE member_id = ? AND key = ?`)
        .run(answer, call.memberId, call.key);
    else if (result.ok)
      // A change made without a transaction of its own (or one that changed nothing): kept all the same.
      ctx.db
        .prepare(
          `INSERT OR IGNORE INTO idempotency_keys (member_id, key, channel, request_hash, response, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(call.memberId, call.key, call.channel, requestHash, answer, pending.at);
    return result;
  })();
  inFlight.set(flightKey, flight);
  try {
    return await flight;
  } finally {
    inFlight.delete(flightKey);
  }
}

function sameRequestOr(ctx: EngineContext, call: KeyedCall, first: Result<unknown>): Result<unknown> {
  const row = ctx.db
    .prepare<[string, string], { channel: string; request_hash: Buffer }>(
      `SELECT channel, request_hash FROM idempotency_keys WHERE member_id = ? AND key = ?`,
    )
    .get(call.memberId, call.key);
  if (row && (row.channel !== call.channel || !row.request_hash.equals(requestDigest(call.channel, call.request))))
    return reusedKey(call);
  return first;
}

function replayOf(db: Db, call: KeyedCall, requestHash: Buffer): Result<unknown> | null {
  const row = db
    .prepare<[string, string], { channel: string; request_hash: Buffer; response: string | null }>(
      `SELECT channel, request_hash, response FROM idempotency_keys WHERE member_id = ? AND key = ?`,
    )
    .get(call.memberId, call.key);
  if (!row) return null;
  if (row.channel !== call.channel || !row.request_hash.equals(requestHash)) return reusedKey(call);
  if (row.response !== null) return JSON.parse(row.response) as Result<unknown>;
  return {
    ok: false,
    error: {
      code: 'conflict',
      message: 'this change was already made; reload to see it',
      details: { idempotencyKey: call.key, alreadyApplied: true },
    },
  };
}

function reusedKey(call: KeyedCall): Result<unknown> {
  return {
    ok: false,
    error: {
      code: 'conflict',
      message: 'this idempotency key was already used for a different change',
      details: { idempotencyKey: call.key, fields: { idempotencyKey: 'use a new key for each change' } },
    },
  };
}

/** Forgets keys older than the kept period (the protocol promises at least 30 days). */
export function pruneIdempotencyKeys(db: Db, now: Date): number {
  const before = new Date(now.getTime() - IDEMPOTENCY_KEEP_DAYS * 24 * 3600_000).toISOString();
  return db.prepare(`DELETE FROM idempotency_keys WHERE created_at < ?`).run(before).changes;
}
