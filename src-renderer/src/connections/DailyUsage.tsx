import type { ManagedUser } from '../../../src-shared/clients';
import type { Workspace } from '../../../src-shared/contract';
import { useContract } from '../data/queries';
import { formatDay } from '../posts/posts';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Section } from '../ui/Section';

/** `dailyPostsLeft` of today in the client's zone, as a meter (SPEC §4 daily limit). */
export function DailyUsage({ workspace, user }: { workspace: Workspace; user: ManagedUser }) {
  const usage = useContract('post.dailyUsage', { workspaceId: workspace.id, userId: user.id });
  const u = usage.data;
  const left = u && `${u.dailyPostsLeft} of ${u.limit} posts left today`;
  return (
    <Section title="Daily usage">
      {usage.error && <ErrorAlert error={usage.error} />}
      {u && (
        <>
          <div
            role="meter"
            aria-label={left}
            aria-valuenow={u.dailyPostsLeft}
            aria-valuemin={0}
            aria-valuemax={u.limit}
            aria-valuetext={left}
            className="meter"
          >
            <span
              className="meter-fill"
              style={{ width: `${u.limit > 0 ? (100 * u.dailyPostsLeft) / u.limit : 0}%` }}
            />
          </div>
          <p className="meter-label">{left}</p>
          <p className="hint">
            Today is {formatDay(u.day, user.timezone)} in {user.timezone}. Each platform a post goes to counts once.
          </p>
        </>
      )}
    </Section>
  );
}
