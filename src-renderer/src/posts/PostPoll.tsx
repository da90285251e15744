import type { PostGroup } from '../../../src-shared/posts';
import { Section } from '../ui/Section';

/** How long a poll runs, as people say it. */
const duration = (minutes: number) =>
  minutes % 1440 === 0
    ? `${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`
    : minutes % 60 === 0
      ? `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`
      : `${minutes} minutes`;

/** A post's poll on its page (issue 14 item 4): the options in order and how long it runs. */
export function PostPoll({ group }: { group: PostGroup }) {
  if (!group.poll) return null;
  return (
    <Section title="Poll">
      <ol aria-label="Poll options">
        {group.poll.options.map((o, i) => (
          <li key={i}>{o}</li>
        ))}
      </ol>
      <p>Runs for {duration(group.poll.durationMinutes)}.</p>
    </Section>
  );
}
