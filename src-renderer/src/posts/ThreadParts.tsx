import { takesFirstComment } from '../../../src-shared/platform-rules';
import type { PostGroup } from '../../../src-shared/posts';
import { Section } from '../ui/Section';

/**
 * A post's thread and first comment on its page (issue 14 item 4): the parts in order, then, for
 * each account that published more than the post itself, a link to every part as it went out.
 */
export function ThreadParts({ group, accountOf }: { group: PostGroup; accountOf: (platformId: string) => string }) {
  if (group.thread.length === 0 && !group.firstComment) return null;
  const linked = group.deliveries.filter((d) => d.parts.length > 1);
  const nameOf = (part: number, hasComment: boolean, count: number) =>
    hasComment && part === count ? 'First comment' : `Part ${part}`;
  return (
    <Section title={group.thread.length > 0 ? 'Thread' : 'First comment'}>
      {group.thread.length > 0 && (
        <ol className="thread-parts" aria-label="Parts of the thread">
          <li className="post-text">{group.text || <span className="muted">(no text)</span>}</li>
          {group.thread.map((p, i) => (
            <li key={i} className="post-text" data-testid="thread-part-text">
              {p.text || <span className="muted">(no text)</span>}
            </li>
          ))}
        </ol>
      )}
      {group.firstComment && (
        <p className="post-text" data-testid="first-comment">
          {group.firstComment}
        </p>
      )}
      {linked.map((d) => {
        const hasComment = takesFirstComment(d.platform);
        return (
          <p key={d.id} className="thread-links">
            On {accountOf(d.platformId)}:{' '}
            {d.parts.map((p, i) => (
              <span key={p.part}>
                {i > 0 && ' · '}
                {p.url ? (
                  <a href={p.url} target="_blank" rel="noreferrer">
                    {nameOf(p.part, hasComment, d.parts.length)}
                  </a>
                ) : (
                  nameOf(p.part, hasComment, d.parts.length)
                )}
              </span>
            ))}
          </p>
        );
      })}
    </Section>
  );
}
