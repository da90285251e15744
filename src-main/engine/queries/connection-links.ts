import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database';
import { authorize, type Principal } from '../kernel/access';
import { actorOf, recordActivity } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { NO_PLATFORM_READY, readyPlatforms } from '../../../src-shared/integration-fields';
import { findClientRow } from './clients';
import { getWorkspace } from './workspaces';

/**
 * Connection links (seed 000 `connection-url`): made by the connections domain and, for the
 * `connect_social_account` action of a refused post, by the posts domain; resolved by the
 * loopback server's connection pages.
 */
export const DEFAULT_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const sha256 = (value: string) => createHash('sha256').update(value).digest();

export interface LinkRow {
  id: string;
  workspace_id: string;
  managed_user_id: string;
  token_hash: Buffer;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ConnectionLinkInfo {
  id: string;
  createdAt: string;
  expiresAt: string;
  status: 'active' | 'expired' | 'revoked';
}

export const linkStatus = (r: LinkRow, now: Date): ConnectionLinkInfo['status'] =>
  r.revoked_at ? 'revoked' : new Date(r.expires_at) <= now ? 'expired' : 'active';

/** Seed 000 `connection-url`: a link to a page of the loopback server, for the client to open. */
export function createConnectionLink(
  ctx: EngineContext,
  p: Principal,
  userId: string,
  baseUrl: string,
  ttlMs = DEFAULT_LINK_TTL_MS,
): { connectionUrl: string; expiresAt: string; id: string } {
  authorize(p, 'connection.manage', { managedUserId: userId });
  const client = findClientRow(ctx.db, p.workspaceId, userId);
  if (!client) throw new AppError('not_found', 'user not found', { userId });
  if (client.deactivated_at)
    throw new AppError('conflict', 'this user is deactivated; reactivate them to send a connection link');
  // A link that offers nothing to connect is a dead end for the client (issue 10 item 7, D108).
  if (!linkCanConnect(ctx.db, p.workspaceId))
    throw new AppError('conflict', NO_PLATFORM_READY, { reason: 'no_platform_ready', setUp: 'integrations' });
  const token = randomBytes(32).toString('base64url');
  const id = newId('link');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO connection_links (id, workspace_id, managed_user_id, token_hash, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, p.workspaceId, userId, sha256(token), now.toISOString(), expiresAt, actorOf(p).id);
    recordActivity(ctx.db, now, {
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'connection.link_created',
      objectKind: 'managed_user',
      objectId: userId,
      detail: `Connection link for ${client.display_name}, valid until ${expiresAt}`,
    });
  })();
  return { connectionUrl: `${baseUrl}/connect/${token}`, expiresAt, id };
}

/** Whether a connection link of this workspace would offer at least one platform to connect. */
export const linkCanConnect = (db: Db, workspaceId: string): boolean =>
  readyPlatforms(getWorkspace(db, workspaceId).integrations).length > 0;

export type LinkProblem = 'unknown' | 'expired' | 'revoked' | 'client_inactive';

/**
 * The link behind a token from a URL, or why it cannot be used. The token is looked up by its
 * SHA-256 and compared again in constant time.
 */
export function resolveConnectionLink(db: Db, token: string, now: Date): { link: LinkRow } | { problem: LinkProblem } {
  if (token.length < 20 || token.length > 100) return { problem: 'unknown' };
  const digest = sha256(token);
  const link = db.prepare<[Buffer], LinkRow>(`SELECT * FROM connection_links WHERE token_hash = ?`).get(digest);
  if (!link || !timingSafeEqual(link.token_hash, digest)) return { problem: 'unknown' };
  const status = linkStatus(link, now);
  if (status !== 'active') return { problem: status };
  const client = findClientRow(db, link.workspace_id, link.managed_user_id);
  if (!client || client.deactivated_at) return { problem: 'client_inactive' };
  return { link };
}
