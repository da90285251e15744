import { useId } from 'react';
import { Field } from '../../ui/Field';
import type { Target, TargetCheck } from './checks';
import { Counter } from './Counter';

/**
 * The text, with each target's live count; a target may get a text of its own ("Customise for
 * X"). The problems the platforms would refuse are listed right under the texts they are about.
 */
export function PostTexts({
  text,
  onText,
  custom,
  onCustom,
  targets,
  checks,
  problems,
}: {
  text: string;
  onText: (text: string) => void;
  custom: Readonly<Record<string, string>>;
  onCustom: (platformId: string, text: string | null) => void;
  targets: readonly Target[];
  checks: readonly TargetCheck[];
  problems: readonly string[];
}) {
  const id = useId();
  const problemsId = `${id}-problems`;
  const checkOf = (t: Target) => checks.find((c) => c.target.platformId === t.platformId)!;
  const mainOver = checks.some((c) => c.over && !(c.target.platformId in custom));

  return (
    <>
      <Field label="Text" describedBy={`${id}-counts ${problemsId}`}>
        {(control) => (
          <>
            <textarea
              {...control}
              rows={6}
              value={text}
              aria-invalid={mainOver || undefined}
              onChange={(e) => onText(e.target.value)}
            />
            <ul id={`${id}-counts`} className="counters" aria-label="Character counts" aria-live="polite">
              {checks
                .filter((c) => !(c.target.platformId in custom))
                .map((c) => (
                  <Counter key={c.target.platformId} check={c} />
                ))}
            </ul>
          </>
        )}
      </Field>

      {targets.map((t) => {
        const on = t.platformId in custom;
        const countsId = `${id}-counts-${t.platformId}`;
        return (
          <div key={t.platformId} className="custom-text">
            <label className="check">
              <input
                type="checkbox"
                checked={on}
                onChange={(e) => onCustom(t.platformId, e.target.checked ? text : null)}
              />
              Customise for {t.short}
            </label>
            {on && (
              <Field label={`Text for ${t.short}`} describedBy={`${countsId} ${problemsId}`}>
                {(control) => (
                  <>
                    <textarea
                      {...control}
                      rows={4}
                      value={custom[t.platformId]}
                      aria-invalid={checkOf(t).over || undefined}
                      onChange={(e) => onCustom(t.platformId, e.target.value)}
                    />
                    <ul
                      id={countsId}
                      className="counters"
                      aria-label={`Character count for ${t.short}`}
                      aria-live="polite"
                    >
                      <Counter check={checkOf(t)} />
                    </ul>
                  </>
                )}
              </Field>
            )}
          </div>
        );
      })}

      <ul
        id={problemsId}
        className="violations"
        aria-label="Problems"
        aria-live="polite"
        hidden={problems.length === 0}
      >
        {problems.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </>
  );
}
