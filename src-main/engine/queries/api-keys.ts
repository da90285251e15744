import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database';
import type { EngineContext } from '../kernel/context';
import { newId } from '../kernel/ids';
import type { SecretStore } from '../secrets/secret-store';

export type ApiKeyScope = 'install_admin' | 'workspace' | 'client';

export interface ApiKeyRow {
  id: string;
  scope: ApiKeyScope;
  workspace_id: string | null;
  managed_user_id: string | null;
  hash: Buffer;
  revoked_at: string | null;
}

/** The SHA-256 of a key: what is kept at rest, and what a presented key is compared by. */
export const hashApiKey = (raw: string): Buffer => hash('sha256', raw, 'buffer');

/**
 * The same SHA-256 as base64url text: one native call and no memory of its own to allocate, so it
 * is the cheap form for a request to carry (the rate limiter names buckets by it).
 */
export const apiKeyDigest = (raw: string): string => hash('sha256', raw, 'base64url');

/** A digest back to bytes, for the constant-time comparison (a slice of Node's buffer pool). */
export const digestBytes = (digest: string): Buffer => Buffer.from(digest, 'base64url');

/** Keychain account holding the raw key, so the owner can reveal it again. */
export const apiKeySecretAccount = (installId: string, keyId: string) => `${installId}/api-key/${keyId}`;

export interface NewApiKey {
  id: string;
  raw: string;
  hash: Buffer;
}

/**
 * A key is `<keyId>.<256 random bits>`: the id finds the row, the SHA-256 of the whole key is
 * compared in constant time. Keys are random, so a fast hash is the right one (no password stretching).
 */
export function mintApiKey(): NewApiKey {
  const id = newId('key');
  const raw = `${id}.${randomBytes(32).toString('base64url')}`;
  return { id, raw, hash: hashApiKey(raw) };
}

export function insertApiKey(
  db: Db,
  key: NewApiKey,
  scope: ApiKeyScope,
  at: Date,
  workspaceId: string | null,
  managedUserId: string | null = null,
): void {
  db.prepare(
    `INSERT INTO api_keys (id, scope, workspace_id, managed_user_id, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(key.id, scope, workspaceId, managedUserId, key.hash, at.toISOString());
}

export async function storeRawKey(secrets: SecretStore, installId: string, key: NewApiKey): Promise<void> {
  await secrets.set(apiKeySecretAccount(installId, key.id), key.raw);
}

/** Whose live keys a new key replaces: a client's key, or the workspace's own key (SPEC's REST keys). */
export type KeyHolder =
  { scope: 'client'; workspaceId: string; userId: string } | { scope: 'workspace'; workspaceId: string };

/** The live keys of each kind of holder, by the holder's id (the client's, the workspace's). */
const LIVE_KEYS_OF = {
  client: `managed_user_id = ? AND revoked_at IS NULL`,
  workspace: `workspace_id = ? AND scope = 'workspace' AND revoked_at IS NULL`,
} as const;

/**
 * A new API key in place of a holder's live ones. The raw key goes to the keychain first; the old
 * keys are revoked, the new one inserted and the caller's activity recorded (`record`, told how
 * many were revoked) in one transaction. Should that fail, the new key leaves the keychain; once it
 * is done, the old keys do.
 */
export async function replaceApiKey(
  ctx: EngineContext,
  holder: KeyHolder,
  record: (now: Date, revoked: number) => void,
): Promise<NewApiKey> {
  const key = mintApiKey();
  const account = apiKeySecretAccount(ctx.installId, key.id);
  const live = LIVE_KEYS_OF[holder.scope];
  const userId = holder.scope === 'client' ? holder.userId : null;
  const holderId = userId ?? holder.workspaceId;
  await ctx.secrets.set(account, key.raw);
  let oldIds: string[] = [];
  try {
    ctx.db.transaction(() => {
      const now = ctx.clock.now();
      oldIds = ctx.db
        .prepare<[string], { id: string }>(`SELECT id FROM api_keys WHERE ${live}`)
        .all(holderId)
        .map((k) => k.id);
      ctx.db.prepare(`UPDATE api_keys SET revoked_at = ? WHERE ${live}`).run(now.toISOString(), holderId);
      insertApiKey(ctx.db, key, holder.scope, now, holder.workspaceId, userId);
      record(now, oldIds.length);
    })();
  } catch (err) {
    await ctx.secrets.delete(account);
    throw err;
  }
  await Promise.allSettled(oldIds.map((id) => ctx.secrets.delete(apiKeySecretAccount(ctx.installId, id))));
  return key;
}

const DUMMY_HASH = hashApiKey('no such key');

/** Longer than any key Postroom makes: refused without a lookup. */
export const MAX_KEY_LENGTH = 200;

/** The id part of a presented key (`<keyId>.<secret>`), which finds its row. */
export const apiKeyIdOf = (presented: string): string => {
  const dot = presented.indexOf('.');
  return dot === -1 ? presented : presented.slice(0, dot);
};

/** The row a presented key id names, revoked or not; null when there is none. */
export function findApiKey(db: Db, keyId: string): ApiKeyRow | null {
  return db.prepare<[string], ApiKeyRow>(`SELECT * FROM api_keys WHERE id = ?`).get(keyId) ?? null;
}

/** Compares a presented key's hash with a row's in constant time; no row costs the same comparison. */
export function hashMatches(stored: Buffer | null | undefined, presentedHash: Buffer): boolean {
  return timingSafeEqual(stored ?? DUMMY_HASH, presentedHash);
}

/** The live key row for a presented key, or null. Unknown ids cost the same comparison. */
export function verifyApiKey(db: Db, presented: string): ApiKeyRow | null {
  if (presented.length > MAX_KEY_LENGTH) return null;
  const row = findApiKey(db, apiKeyIdOf(presented));
  const matches = hashMatches(row?.hash, hashApiKey(presented));
  if (!row || !matches || row.revoked_at !== null) return null;
  return row;
}
