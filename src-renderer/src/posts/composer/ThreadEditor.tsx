import { useId, type ReactNode } from 'react';
import type { PostMedia } from '../../../../src-shared/posts';
import { checkFollowUps, PLATFORM_RULES, takesThread } from '../../../../src-shared/platform-rules';
import { Field } from '../../ui/Field';
import { checkTargets, type Target } from './checks';
import { Counter } from './Counter';
import { mediaInfoOf } from './PostMediaPicker';

/**
 * A thread (issue 14 item 4): the parts that follow the post, each a reply to the one before on
 * X, Bluesky, Mastodon and Threads. Parts are added, removed and moved; each has its own images or
 * video, a live count per account that takes threads, and the problems the platforms would refuse
 * listed under it. Offered only when a chosen account takes threads.
 */

/** A part after the post: its text and library items. */
export interface ThreadPartDraft {
  text: string;
  media: PostMedia[];
}
export function ThreadEditor({
  parts,
  onParts,
  targets,
  partMedia,
}: {
  /** The parts after the post itself. */
  parts: readonly ThreadPartDraft[];
  onParts: (parts: ThreadPartDraft[]) => void;
  targets: readonly Target[];
  /** The media picker of the part at this index. */
  partMedia: (index: number) => ReactNode;
}) {
  const id = useId();
  const threading = targets.filter((t) => takesThread(t.platform));
  if (threading.length === 0 && parts.length === 0) return null;
  const others = targets.filter((t) => !takesThread(t.platform));
  const max = Math.min(...threading.map((t) => (PLATFORM_RULES[t.platform].followUp as { maxParts: number }).maxParts));
  const set = (i: number, text: string) => onParts(parts.map((p, j) => (j === i ? { ...p, text } : p)));
  const asRules = parts.map((p) => ({ text: p.text, media: p.media.map(mediaInfoOf) }));
  const move = (i: number, by: -1 | 1) => {
    const next = [...parts];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    onParts(next);
  };

  return (
    <fieldset className="thread-editor plain" aria-label="Thread">
      {parts.length > 0 && others.length > 0 && (
        <p className="violations" role="alert">
          {others.map((t) => t.short).join(', ')} cannot take a thread: remove {others.length === 1 ? 'it' : 'them'} or
          the thread&apos;s parts.
        </p>
      )}
      <ol className="thread-parts">
        {parts.map(({ text }, i) => {
          const label = `Part ${i + 2}`;
          const checks = checkTargets(threading, () => text, asRules[i]!.media);
          const problems = [
            ...new Set(
              threading.flatMap((t) =>
                checkFollowUps(t.platform, asRules, null, t.connection?.maxTextLength ?? undefined)
                  .filter((v) => v.part === i + 2)
                  .map((v) => v.message),
              ),
            ),
          ];
          const partId = `${id}-${i}`;
          return (
            <li key={i} className="thread-part" data-testid="thread-part">
              <Field label={label} describedBy={`${partId}-counts ${partId}-problems`}>
                {(control) => (
                  <>
                    <textarea
                      {...control}
                      rows={3}
                      value={text}
                      aria-invalid={problems.length > 0 || undefined}
                      onChange={(e) => set(i, e.target.value)}
                    />
                    <ul
                      id={`${partId}-counts`}
                      className="counters"
                      aria-label={`Character counts for part ${i + 2}`}
                      aria-live="polite"
                    >
                      {checks.map((c) => (
                        <Counter key={c.target.platformId} check={c} />
                      ))}
                    </ul>
                  </>
                )}
              </Field>
              <ul id={`${partId}-problems`} className="violations" hidden={problems.length === 0} aria-live="polite">
                {problems.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
              {partMedia(i)}
              <div className="thread-part-actions">
                <button
                  type="button"
                  className="button small"
                  disabled={i === 0}
                  aria-label={`Move part ${i + 2} up`}
                  onClick={() => move(i, -1)}
                >
                  ↑ Up
                </button>
                <button
                  type="button"
                  className="button small"
                  disabled={i === parts.length - 1}
                  aria-label={`Move part ${i + 2} down`}
                  onClick={() => move(i, 1)}
                >
                  ↓ Down
                </button>
                <button
                  type="button"
                  className="button small"
                  aria-label={`Remove part ${i + 2}`}
                  onClick={() => onParts(parts.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {threading.length > 0 && (
        <button
          type="button"
          className="button"
          disabled={parts.length + 1 >= max}
          onClick={() => onParts([...parts, { text: '', media: [] }])}
        >
          {parts.length === 0 ? 'Make it a thread' : 'Add a part'}
        </button>
      )}
      {threading.length > 0 && parts.length === 0 && (
        <p className="hint">
          On {threading.map((t) => t.short).join(', ')} each part goes out as a reply to the one before.
        </p>
      )}
    </fieldset>
  );
}
