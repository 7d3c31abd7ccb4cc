// Percentiles and per-phase summaries of the latencies the load generator records, and the spread of per-round figures.

/** Latency figures of one series of samples, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/**
 * The `q` quantile (0..1) of `sorted` (ascending), nearest-rank method: the smallest sample with
 * at least `q` of all samples at or below it. NaN for an empty series.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  return sorted[rank - 1] as number;
}

/** Sorts a copy of `samples` and returns p50, p99, mean and max. */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const n = sorted.length;
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: n === 0 ? Number.NaN : sum / n,
    max: n === 0 ? Number.NaN : (sorted[n - 1] as number),
  };
}

/** Per-round figures summed up: their median and range, so a change can be told from the run-to-run noise. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many rounds gave a figure. */
  n: number;
}

/** Median (mean of the middle two for an even count), min and max of the finite `values`; undefined when there are none. */
export function spreadOf(values: readonly (number | undefined)[]): Spread | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  const n = known.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? (known[mid] as number) : ((known[mid - 1] as number) + (known[mid] as number)) / 2;
  return { median, min: known[0] as number, max: known[n - 1] as number, n };
}
