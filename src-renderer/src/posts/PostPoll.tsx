import { pollDuration } from '../../../src-shared/platform-rules';
import type { PostGroup } from '../../../src-shared/posts';
import { Section } from '../ui/Section';

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
      <p>Runs for {pollDuration(group.poll.durationMinutes)}.</p>
    </Section>
  );
}
