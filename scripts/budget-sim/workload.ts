// The client the budget simulation plays: its request rate, how it spreads over isolates, and what one request costs.
import type { SimRequest } from './isolate.ts';
import type { Random } from './random.ts';

/** The client's output cap (a key's maxTokens): every request is sent with it, and reserves it. */
export const OUTPUT_LIMIT = 1024;
/** Estimated input tokens of a request, uniform in this range (UTF-8 bytes / 3 of its body). */
export const ESTIMATE = { low: 300, high: 3000 };
/** Real input tokens are this share of the estimate, uniform (the estimate errs high: ~4 bytes a token in English). */
export const INPUT_SHARE = { low: 0.6, high: 0.9 };
/** Real output tokens: exponential with this mean, cut at the output limit. */
export const OUTPUT_MEAN = 300;
/** How long a request runs once sent (ms): log-normal, median and shape, kept within these bounds. */
export const DURATION = { median: 2500, sigma: 0.8, min: 200, max: 60_000 };
/** The run spends the budget this far through (as a share of the run); the rest shows the refusals once it is spent. */
export const EXHAUSTED_AT = 0.6;

/** Mean real use and mean worst case of a request, from the distributions above. */
export const MEAN_USE =
  ((ESTIMATE.low + ESTIMATE.high) / 2) * ((INPUT_SHARE.low + INPUT_SHARE.high) / 2) +
  OUTPUT_MEAN * (1 - Math.exp(-OUTPUT_LIMIT / OUTPUT_MEAN));
export const MEAN_WORST = (ESTIMATE.low + ESTIMATE.high) / 2 + OUTPUT_LIMIT;

/** One simulated run, from the start of the client's day (every isolate without a lease, as at UTC midnight). */
export interface Scenario {
  /** Requests a second the client sends (Poisson arrivals). */
  rate: number;
  /** Isolates the requests spread over, uniformly at random. */
  isolates: number;
  /** Simulated seconds of arrivals. */
  seconds: number;
  /** The daily token budget: a day of the client's mean use. */
  budget: number;
  /**
   * Unset: the budget never runs out in the run (what leases cost). Set: after `atSeconds` of warm-up
   * (isolates holding leases as in the middle of a day), the day's spending so far is added at once,
   * leaving `leftSeconds` of the client's mean use of the budget (how early leases refuse at its end).
   */
  runsOut?: { atSeconds: number; leftSeconds: number };
}

const DAY = 86_400;

/** A run from the start of the day, cold: the budget holds a day of the client's use. */
export function dayStart(rate: number, isolates: number, seconds: number): Scenario {
  return { rate, isolates, seconds, budget: Math.round(rate * DAY * MEAN_USE) };
}

/** A run in which the budget runs out: warm after `warmSeconds`, then EXHAUSTED_AT of the rest of the run's use is left. */
export function runningOut(rate: number, isolates: number, warmSeconds: number, seconds: number): Scenario {
  const leftSeconds = (seconds - warmSeconds) * EXHAUSTED_AT;
  return { ...dayStart(rate, isolates, seconds), runsOut: { atSeconds: warmSeconds, leftSeconds } };
}

/** One request drawn from the distributions above. */
export function drawRequest(random: Random): SimRequest {
  const estimate = Math.round(random.uniform(ESTIMATE.low, ESTIMATE.high));
  const input = Math.round(estimate * random.uniform(INPUT_SHARE.low, INPUT_SHARE.high));
  const output = Math.min(OUTPUT_LIMIT, Math.round(random.exponential(OUTPUT_MEAN)));
  const duration = Math.min(DURATION.max, Math.max(DURATION.min, random.lognormal(DURATION.median, DURATION.sigma)));
  return { worst: { tokens: estimate + OUTPUT_LIMIT, usd: 0 }, used: { tokens: input + output, usd: 0 }, durationMs: duration };
}
