import type { Db } from '../db/database';
import { authorize, clientScope, type Principal } from '../kernel/access';
import { AppError } from '../kernel/errors';

/**
 * A post group the principal may read, with the columns its caller needs (a `post_groups` select
 * aliased `g`): one rule for the posts and approvals domains. A group of another workspace, or of
 * a client outside the principal's clients, is `not_found` (it is not said to exist); one in scope
 * then needs `post.read` on its client (src-main/engine/kernel/access.ts).
 */
export function requireReadableGroup<Row extends { managed_user_id: string }>(
  db: Db,
  p: Principal,
  id: string,
  columns: string,
): Row {
  const g = db
    .prepare<[string, string], Row>(`SELECT ${columns} FROM post_groups g WHERE g.id = ? AND g.workspace_id = ?`)
    .get(id, p.workspaceId);
  const scope = clientScope(p);
  if (!g || (scope !== 'all' && !scope.includes(g.managed_user_id)))
    throw new AppError('not_found', 'post group not found', { id });
  authorize(p, 'post.read', { managedUserId: g.managed_user_id });
  return g;
}
