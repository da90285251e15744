import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db/database';
import { newId } from './ids';
import type { SecretStore } from './secrets/secret-store';

export type ApiKeyScope = 'install_admin' | 'workspace' | 'client';

export interface ApiKeyRow {
  id: string;
  scope: ApiKeyScope;
  workspace_id: string | null;
  managed_user_id: string | null;
  hash: Buffer;
  revoked_at: string | null;
}

const hashKey = (raw: string): Buffer => createHash('sha256').update(raw, 'utf8').digest();

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
  return { id, raw, hash: hashKey(raw) };
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

const DUMMY_HASH = hashKey('no such key');

/** The live key row for a presented key, or null. Unknown ids cost the same comparison. */
export function verifyApiKey(db: Db, presented: string): ApiKeyRow | null {
  if (presented.length > 200) return null;
  const keyId = presented.split('.', 1)[0] ?? '';
  const row = db.prepare<[string], ApiKeyRow>(`SELECT * FROM api_keys WHERE id = ?`).get(keyId);
  const matches = timingSafeEqual(row?.hash ?? DUMMY_HASH, hashKey(presented));
  if (!row || !matches || row.revoked_at !== null) return null;
  return row;
}
