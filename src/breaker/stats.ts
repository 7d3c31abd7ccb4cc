// The status figures of one breaker state: success rate and percentiles over recent traffic. Pure.
import type { BreakerState } from './policy.ts';

/** Median and 95th percentile of some samples (ms); null without samples. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface BreakerStats {
  /** Failure share of the closed breaker's window (what opens it); 0 for an empty window. */
  failureRate: number;
  /** Success share of the recent outcomes (kept across opening); null before any outcome. */
  successRate: number | null;
  recentCalls: number;
  latency: Percentiles;
  ttft: Percentiles;
}

/** The `q` quantile of `samples` by the nearest-rank rule, or null when there are none. */
export function quantile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
}

function percentiles(samples: readonly number[]): Percentiles {
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95) };
}

/** What the status page shows of a breaker state. */
export function stats(s: BreakerState): BreakerStats {
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  return {
    failureRate: s.window.length === 0 ? 0 : sum(s.window) / s.window.length,
    successRate: s.recent.length === 0 ? null : 1 - sum(s.recent) / s.recent.length,
    recentCalls: s.recent.length,
    latency: percentiles(s.latencies),
    ttft: percentiles(s.ttfts),
  };
}
