import type { MigrationStep } from '../migration';

/**
 * Lists by approval state (`state=in_review`, issue 13 item 7; the review board, the "needs your
 * review" count): a partial index over the post groups that were ever submitted, by workspace,
 * state and list time. Posts of clients without approval (most of them) stay out of it, so
 * writing them costs nothing more (D102).
 */
export const indexPostsByApproval: MigrationStep = (db) => {
  db.exec(`
      CREATE INDEX post_groups_by_approval ON post_groups (workspace_id, approval_state, sort_at)
        WHERE approval_state != 'none';
    `);
};
