import type { Approval } from '../../../src-shared/approvals';
import { approvalBadge } from './approvalText';

/** "In review", "Changes requested", "Approved" beside a post (its title says whose turn it is). */
export function ApprovalBadge({ approval }: { approval: Approval }) {
  const badge = approvalBadge(approval);
  if (!badge) return null;
  return (
    <span className={badge.className} title={badge.title} data-testid="approval-badge">
      {badge.label}
    </span>
  );
}
