/*
 * One figure per benchmark, as `npm run bench -- --out FILE` writes them (issue 11): name, value,
 * unit, the baseline measured beside it in the same run, their ratio, the target, plus each
 * benchmark's own fields (p50_ms, p99_ms, postroom_per_s, …).
 */

export type Better = 'higher' | 'lower';

interface Judged {
  name: string;
  value: number;
  unit: string;
  /**
   * The same work done by the reference (raw SQLite, BullMQ, bare Fastify…), in the same run;
   * null where none is named.
   */
  baseline: number | null;
  /** value / baseline (a throughput) where a baseline exists; null otherwise. */
  ratio: number | null;
  /** What `value` (or `ratio`, for ratio targets) must reach. */
  target: number;
  /** Which of value or ratio the target is for, and which way is better. */
  target_of: 'value' | 'ratio';
  better: Better;
  met: boolean;
  /** Quick mode (CI) figures are smaller runs: they prove the benchmark works, not the target. */
  quick: boolean;
}

export type Figure = Judged & Record<string, unknown>;

export function figure(
  f: Omit<Judged, 'met' | 'quick' | 'ratio' | 'baseline'> & {
    baseline?: number | null;
    ratio?: number | null;
  } & Record<string, unknown>,
  quick: boolean,
): Figure {
  const baseline = f.baseline ?? null;
  const ratio = f.ratio !== undefined ? f.ratio : baseline ? f.value / baseline : null;
  // Judged on the ratio as measured, shown to three digits: 0.9985 is not a ratio of 1.
  const judged = f.target_of === 'ratio' ? (ratio ?? Number.NaN) : f.value;
  const met = f.better === 'higher' ? judged >= f.target : judged <= f.target;
  return { ...f, baseline, ratio: ratio === null ? null : round(ratio), met, quick };
}

/** The q-th quantile (0..1) of samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 3): number => (Number.isFinite(n) ? Number(n.toPrecision(digits)) : n);

/**
 * Times `fn` over and over: a few warm-up calls, then until `count` samples or `budgetMs` has
 * passed (at least `minCount`), so a slow build of the code under test still finishes in time.
 */
export async function sample(
  fn: () => unknown,
  {
    count,
    budgetMs,
    warmup = 5,
    minCount = 5,
  }: { count: number; budgetMs: number; warmup?: number; minCount?: number },
): Promise<number[]> {
  const started = performance.now();
  for (let i = 0; i < warmup && performance.now() - started < budgetMs / 4; i++) await fn();
  const samples: number[] = [];
  const from = performance.now();
  while (samples.length < count && (samples.length < minCount || performance.now() - from < budgetMs)) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

const fmt = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? '—' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);

/** The readable table: one line per figure. */
export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    fmt(f.baseline),
    f.ratio === null ? '—' : `${fmt(f.ratio)}×`,
    `${f.better === 'higher' ? '≥' : '≤'} ${f.target}${f.target_of === 'ratio' ? '×' : ` ${f.unit}`}`,
    f.quick ? '(quick)' : f.met ? 'met' : 'NOT met',
  ]);
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
