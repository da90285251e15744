import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { checkPollTargets, type Target } from './checks';

export interface PollDraft {
  options: string[];
  durationMinutes: number;
}

/** How long a poll runs, as people choose it (within every platform's bounds). */
const DURATIONS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 3 * 24 * 60, label: '3 days' },
  { minutes: 7 * 24 * 60, label: '7 days' },
] as const;

/**
 * A poll on the post (issue 14 item 4), offered only when a chosen account takes polls (X,
 * Mastodon): its options (2 up to the smallest maximum of those accounts) and how long it runs.
 * What each platform would refuse (an account without polls, an option too long, media beside
 * the poll) is listed under it.
 */
export function PollField({
  poll,
  onPoll,
  targets,
  mediaCount,
}: {
  poll: PollDraft | null;
  onPoll: (poll: PollDraft | null) => void;
  targets: readonly Target[];
  mediaCount: number;
}) {
  const polling = targets.filter((t) => PLATFORM_RULES[t.platform].poll !== null);
  // An account's own server may set other bounds (a Mastodon instance's), as the engine checks them.
  const rulesOf = (t: Target) => t.connection?.pollLimits ?? PLATFORM_RULES[t.platform].poll!;
  if (polling.length === 0 && !poll) return null;
  if (!poll)
    return (
      <button type="button" className="button" onClick={() => onPoll({ options: ['', ''], durationMinutes: 24 * 60 })}>
        Add a poll
      </button>
    );
  // The contract takes at most 10 options (PollInput), whatever an instance allows.
  const maxOptions = Math.min(...polling.map((t) => rulesOf(t).maxOptions), 10);
  const problems = [...new Set(checkPollTargets(targets, poll, mediaCount).map((v) => v.message))];
  const setOption = (i: number, value: string) =>
    onPoll({ ...poll, options: poll.options.map((o, j) => (j === i ? value : o)) });
  return (
    <fieldset className="poll-field">
      <legend>Poll</legend>
      {poll.options.map((option, i) => (
        <div key={i} className="field">
          <label>
            Option {i + 1}
            <input type="text" value={option} onChange={(e) => setOption(i, e.target.value)} />
          </label>
          {poll.options.length > 2 && (
            <button
              type="button"
              className="button small"
              aria-label={`Remove option ${i + 1}`}
              onClick={() => onPoll({ ...poll, options: poll.options.filter((_, j) => j !== i) })}
            >
              Remove
            </button>
          )}
        </div>
      ))}
      <div className="buttons">
        <button
          type="button"
          className="button small"
          disabled={poll.options.length >= maxOptions}
          onClick={() => onPoll({ ...poll, options: [...poll.options, ''] })}
        >
          Add an option
        </button>
        <label>
          Runs for{' '}
          <select
            value={poll.durationMinutes}
            onChange={(e) => onPoll({ ...poll, durationMinutes: Number(e.target.value) })}
          >
            {DURATIONS.map((d) => (
              <option key={d.minutes} value={d.minutes}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button small" onClick={() => onPoll(null)}>
          Remove the poll
        </button>
      </div>
      <ul className="violations" aria-label="Poll problems" hidden={problems.length === 0} aria-live="polite">
        {problems.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </fieldset>
  );
}
