import { createHash, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database';
import { findClientRow } from './clients';

/*
 * Links made for a client to open without an account: connection links (seed 000
 * `connection-url`) and approval links (issue 13 item 2). Both keep only the SHA-256 of their
 * token, expire, can be revoked, and die with the client's deactivation.
 */

export const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** What every client link's row holds (each table may add its own columns). */
export interface ClientLinkRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  token_hash: Buffer;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** The tables of client links, by kind. */
const LINK_TABLES = { connection: 'connection_links', approval: 'approval_links' } as const;

export type ClientLinkStatus = 'active' | 'expired' | 'revoked';

/** Why a client link's token opens nothing. */
export type ClientLinkProblem = 'unknown' | 'expired' | 'revoked' | 'client_inactive';

export const clientLinkStatus = (r: ClientLinkRow, now: Date): ClientLinkStatus =>
  r.revoked_at ? 'revoked' : new Date(r.expires_at) <= now ? 'expired' : 'active';

/**
 * The link behind a token from a URL, or why it cannot be used. A token of the wrong length names
 * nothing; the token is looked up by its SHA-256 and compared again in constant time; an expired or
 * revoked link, or one of a deactivated client, opens nothing.
 */
export function resolveClientLink<Row extends ClientLinkRow>(
  db: Db,
  kind: keyof typeof LINK_TABLES,
  token: string,
  now: Date,
): { link: Row } | { problem: ClientLinkProblem } {
  if (token.length < 20 || token.length > 100) return { problem: 'unknown' };
  const digest = sha256(token);
  const link = db.prepare<[Buffer], Row>(`SELECT * FROM ${LINK_TABLES[kind]} WHERE token_hash = ?`).get(digest);
  if (!link || !timingSafeEqual(link.token_hash, digest)) return { problem: 'unknown' };
  const status = clientLinkStatus(link, now);
  if (status !== 'active') return { problem: status };
  const client = findClientRow(db, link.workspace_id, link.managed_user_id);
  if (!client || client.deactivated_at) return { problem: 'client_inactive' };
  return { link };
}
