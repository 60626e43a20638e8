/**
 * The shape of a benchmark figure and how it is summarised: every figure is measured at least
 * three times, against a baseline measured in the same run on the same data.
 */

export type Sample = { readonly ours: number; readonly baseline: number | null };

export type Summary = { readonly min: number; readonly median: number; readonly max: number };

export type FigureResult = {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly ours: Summary;
  readonly baseline: Summary | null;
  readonly baselineName: string | null;
  /** ours.median / baseline.median, when there is a baseline. */
  readonly ratio: number | null;
  readonly goal: string;
  readonly goalMet: boolean;
  readonly notes: readonly string[];
};

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("summarise needs at least one value");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** Percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile needs at least one value");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function format(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** One table row per figure: ours (min/median/max), baseline, ratio, goal. */
export function renderTable(results: readonly FigureResult[]): string {
  const header =
    "| figure | ours: median (min-max) | baseline: median (min-max) | ratio | goal | met |";
  const rule = "| --- | --- | --- | --- | --- | --- |";
  const rows = results.map((r) => {
    const ours = `${format(r.ours.median, r.unit)} (${format(r.ours.min, r.unit)}-${format(r.ours.max, r.unit)})`;
    const base = r.baseline
      ? `${r.baselineName}: ${format(r.baseline.median, r.unit)} (${format(r.baseline.min, r.unit)}-${format(r.baseline.max, r.unit)})`
      : "n/a";
    const ratio = r.ratio === null ? "n/a" : `${r.ratio.toFixed(2)}x`;
    return `| ${r.title} | ${ours} | ${base} | ${ratio} | ${r.goal} | ${r.goalMet ? "yes" : "NO"} |`;
  });
  return [header, rule, ...rows].join("\n");
}

/** A figure that cannot be measured yet, listed so its absence is visible in every run. */
export type PendingFigure = {
  readonly id: string;
  readonly title: string;
  readonly status: "not measured yet";
  readonly reason: string;
};

/** One benchmark: measures ours and its baseline in the same run, on the same data. */
export type Figure = {
  readonly id: string;
  readonly title: string;
  run(options: { readonly quick: boolean; readonly runs: number }): Promise<FigureResult>;
};

/** Builds a result from raw samples: medians, ratio, and whether the goal was met. */
export function figureResult(input: {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly ours: readonly number[];
  readonly baseline: readonly number[] | null;
  readonly baselineName: string | null;
  readonly goal: string;
  readonly goalMet: (ours: Summary, baseline: Summary | null) => boolean;
  readonly notes?: readonly string[];
}): FigureResult {
  const ours = summarise(input.ours);
  const baseline = input.baseline === null ? null : summarise(input.baseline);
  return {
    id: input.id,
    title: input.title,
    unit: input.unit,
    ours,
    baseline,
    baselineName: input.baselineName,
    ratio: baseline === null || baseline.median === 0 ? null : ours.median / baseline.median,
    goal: input.goal,
    goalMet: input.goalMet(ours, baseline),
    notes: input.notes ?? [],
  };
}

/** Table rows for figures not measured yet, to append to {@link renderTable}'s output. */
export function renderPendingRows(pending: readonly PendingFigure[]): string {
  return pending
    .map((p) => `| ${p.title} | not measured yet | n/a | n/a | ${p.reason} | n/a |`)
    .join("\n");
}
