import { useContract } from '../data/queries';
import { useCurrentWorkspace } from '../data/session';

/**
 * "Needs your review": how many posts wait for the signed-in person's own decision, beside the
 * Reviews entry of the navigation (issue 13 item 5). Pushed changes and `approval.decided` refresh it.
 */
export function ReviewCount() {
  const workspace = useCurrentWorkspace();
  const count = useContract(
    'approval.reviewCount',
    { workspaceId: workspace?.id ?? '' },
    { enabled: workspace !== undefined },
  );
  const n = count.data?.count ?? 0;
  if (n === 0) return null;
  return (
    <span className="nav-count" data-testid="review-count">
      {n}
      <span className="visually-hidden"> {n === 1 ? 'post needs' : 'posts need'} your review</span>
    </span>
  );
}
