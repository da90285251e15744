import type { NeedsAttention } from '../../../src-shared/posts';
import { authorize, clientScope, type Principal } from '../kernel/access';
import type { EngineContext } from '../kernel/context';

/**
 * The overview's "needs attention" (issue 10 item 6): what a person must act on, newest first.
 * - deliveries that `failed` (retry them) or are in `needs_attention` (check the platform first);
 * - connections that must be reconnected: `needs_reauth` or `revoked`, or still `active` with a
 *   token past its expiry that the token keeper has not renewed yet (`expired`).
 * Members see only their clients' (`clientScope`). Lists are capped at `LIMIT` deliveries; the rest
 * are found through the queue's state filter.
 */
export const ATTENTION_LIMIT = 50;

interface DeliveryRow {
  id: string;
  post_group_id: string;
  managed_user_id: string;
  platform: NeedsAttention['deliveries'][number]['platform'];
  platform_id: string;
  state: 'failed' | 'needs_attention';
  last_error: string | null;
  updated_at: string;
  text: string;
  display_name: string;
  timezone: string;
  handle: string | null;
}

interface ConnectionRow {
  managed_user_id: string;
  display_name: string;
  timezone: string;
  platform: NeedsAttention['connections'][number]['platform'];
  platform_id: string;
  handle: string;
  status: 'active' | 'needs_reauth' | 'revoked';
  updated_at: string;
  token_expires_at: string | null;
}

export function needsAttention(ctx: EngineContext, p: Principal): NeedsAttention {
  authorize(p, 'post.read');
  const scope = clientScope(p);
  const clients = scope === 'all' ? null : JSON.stringify(scope);
  const now = ctx.clock.now().toISOString();
  const deliveries = ctx.db
    .prepare<[string, string | null, string | null, number], DeliveryRow>(
      `SELECT d.id, d.post_group_id, d.managed_user_id, d.platform, d.platform_id, d.state, d.last_error, d.updated_at,
              g.text, u.display_name, u.timezone, c.handle
       FROM deliveries d
       JOIN post_groups g ON g.id = d.post_group_id
       JOIN managed_users u ON u.id = d.managed_user_id
       LEFT JOIN connections c ON c.managed_user_id = d.managed_user_id AND c.platform_id = d.platform_id
       WHERE d.state IN ('failed', 'needs_attention') AND g.workspace_id = ?
         AND (? IS NULL OR d.managed_user_id IN (SELECT value FROM json_each(?)))
       ORDER BY d.updated_at DESC, d.id LIMIT ?`,
    )
    .all(p.workspaceId, clients, clients, ATTENTION_LIMIT + 1);
  const connections = ctx.db
    .prepare<[string, string, string | null, string | null], ConnectionRow>(
      `SELECT c.managed_user_id, u.display_name, u.timezone, c.platform, c.platform_id, c.handle, c.status,
              c.updated_at, c.token_expires_at
       FROM connections c JOIN managed_users u ON u.id = c.managed_user_id
       WHERE c.workspace_id = ? AND u.deleted_at IS NULL
         AND (c.status <> 'active' OR (c.token_expires_at IS NOT NULL AND c.token_expires_at <= ?))
         AND (? IS NULL OR c.managed_user_id IN (SELECT value FROM json_each(?)))
       ORDER BY c.updated_at DESC, c.id`,
    )
    .all(p.workspaceId, now, clients, clients);
  return {
    deliveries: deliveries.slice(0, ATTENTION_LIMIT).map((d) => ({
      deliveryId: d.id,
      postGroupId: d.post_group_id,
      clientId: d.managed_user_id,
      clientName: d.display_name,
      clientTimezone: d.timezone,
      platform: d.platform,
      platformId: d.platform_id,
      handle: d.handle,
      state: d.state,
      error: d.last_error,
      at: d.updated_at,
      text: d.text,
    })),
    connections: connections.map((c) => ({
      clientId: c.managed_user_id,
      clientName: c.display_name,
      clientTimezone: c.timezone,
      platform: c.platform,
      platformId: c.platform_id,
      handle: c.handle,
      problem: c.status === 'active' ? 'expired' : c.status,
      since: c.status === 'active' ? c.token_expires_at! : c.updated_at,
    })),
    moreDeliveries: deliveries.length > ATTENTION_LIMIT,
  };
}
