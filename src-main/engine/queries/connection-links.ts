import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database';
import { authorize, type Principal } from '../kernel/access';
import { actorOf, recordActivityOf } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { NO_PLATFORM_READY, readyPlatforms } from '../../../src-shared/integration-fields';
import {
  resolveClientLink,
  sha256,
  type ClientLinkProblem,
  type ClientLinkRow,
  type ClientLinkStatus,
} from './client-links';
import { findClientRow } from './clients';
import { getWorkspace } from './workspaces';

/**
 * Connection links (seed 000 `connection-url`): made by the connections domain and, for the
 * `connect_social_account` action of a refused post, by the posts domain; resolved by the
 * loopback server's connection pages.
 */
export const DEFAULT_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface ConnectionLinkInfo {
  id: string;
  createdAt: string;
  expiresAt: string;
  status: ClientLinkStatus;
}

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
        `INSERT INTO connection_links
           (id, workspace_id, managed_user_id, token_hash, created_at, expires_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, p.workspaceId, userId, sha256(token), now.toISOString(), expiresAt, actorOf(p).id);
    recordActivityOf(ctx.db, now, p, {
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

export type LinkProblem = ClientLinkProblem;

/** The connection link behind a token from a URL, or why it cannot be used (resolveClientLink). */
export const resolveConnectionLink = (db: Db, token: string, now: Date) =>
  resolveClientLink<ClientLinkRow>(db, 'connection', token, now);
