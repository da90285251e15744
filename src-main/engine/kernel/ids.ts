import { randomBytes } from 'node:crypto';

/** Opaque ids: a readable prefix and 96 random bits, e.g. `ws_3fK9…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
