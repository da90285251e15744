import { useId } from 'react';
import { countText, PLATFORM_RULES, takesFirstComment } from '../../../../src-shared/platform-rules';
import { Field } from '../../ui/Field';
import type { Target } from './checks';

/**
 * The first comment (issue 14 item 4): posted under the post, as the account, on LinkedIn,
 * Instagram and Facebook. Shown only when a chosen account takes one; each of those gets a live
 * count against its comment limit, and the accounts that do not take one are named.
 */
export function FirstCommentField({
  value,
  onChange,
  targets,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  targets: readonly Target[];
  error?: string | undefined;
}) {
  const id = useId();
  const commenting = targets.filter((t) => takesFirstComment(t.platform));
  if (commenting.length === 0) return null;
  const others = targets.filter((t) => !takesFirstComment(t.platform));
  const counts = commenting.map((t) => {
    const rules = PLATFORM_RULES[t.platform];
    const max = rules.followUp.kind === 'first_comment' ? rules.followUp.maxCommentLength : 0;
    const count = countText(t.platform, value);
    return { target: t, count, max, over: count > max };
  });

  return (
    <Field label="First comment" describedBy={`${id}-counts ${id}-hint`} error={error}>
      {(control) => (
        <>
          <textarea
            {...control}
            rows={2}
            value={value}
            aria-invalid={counts.some((c) => c.over) || undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          <ul id={`${id}-counts`} className="counters" aria-label="First comment counts" aria-live="polite">
            {counts.map((c) => (
              <li
                key={c.target.platformId}
                className={c.over ? 'counter over' : 'counter'}
                aria-invalid={c.over || undefined}
                aria-label={`${c.target.short}: ${c.count} of ${c.max} characters${c.over ? ', over the limit' : ''}`}
              >
                <span className="counter-name">{c.target.short}</span> {c.count} / {c.max}
              </li>
            ))}
          </ul>
          <p id={`${id}-hint`} className="hint">
            Posted under the post on {commenting.map((t) => t.short).join(', ')}
            {others.length > 0 ? `; ${others.map((t) => t.short).join(', ')} take no first comment` : ''}.
          </p>
        </>
      )}
    </Field>
  );
}
