import type { TargetCheck } from './checks';

/** "X 281 / 280": one target's live character count, marked when over its limit. */
export function Counter({ check: c }: { check: TargetCheck }) {
  return (
    <li
      className={c.over ? 'counter over' : 'counter'}
      data-platform={c.target.platform}
      aria-invalid={c.over || undefined}
      aria-label={`${c.target.short}: ${c.count} of ${c.max} characters${c.over ? ', over the limit' : ''}`}
    >
      <span className="counter-name">{c.target.short}</span> {c.count} / {c.max}
    </li>
  );
}
