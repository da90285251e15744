import { randomFillSync } from 'node:crypto';

/*
 * Random bits drawn a pool at a time (as Node's randomUUID does): one call into the CSPRNG for
 * 256 ids instead of one per id, which the scheduler's activity rows made a measurable part of a
 * publish.
 */
const ID_BYTES = 12;
const pool = Buffer.alloc(ID_BYTES * 256);
let used = pool.length;

/** Opaque ids: a readable prefix and 96 random bits, e.g. `ws_3fK9…`. */
export function newId(prefix: string): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = `${prefix}_${pool.toString('base64url', used, used + ID_BYTES)}`;
  used += ID_BYTES;
  return id;
}
