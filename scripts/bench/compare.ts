// Per-round comparisons of two rows of one phase (proxy against forwarder, a layer on against off), and how a spread is printed.
import type { RoundFigures, Row } from './rows.ts';
import { type Spread, spreadOf } from './stats.ts';

/** A figure of one round. */
export type Pick = (r: RoundFigures) => number | undefined;

/** A figure of `on` against `off` in the same round. */
export type Pair = (on: RoundFigures, off: RoundFigures) => number | undefined;

/** The spread over rounds of one row's figure; undefined when the row was not measured. */
export function roundSpread(row: Row | undefined, pick: Pick): Spread | undefined {
  return row === undefined ? undefined : spreadOf(row.rounds.map(pick));
}

/**
 * The spread over rounds of `pair(on's round r, off's round r)`: both rows come from one phase, so
 * round r of each ran back to back (in either order), under the same background load.
 */
export function pairedSpread(on: Row | undefined, off: Row | undefined, pair: Pair): Spread | undefined {
  if (on === undefined || off === undefined) return undefined;
  const n = Math.min(on.rounds.length, off.rounds.length);
  return spreadOf(Array.from({ length: n }, (_, r) => pair(on.rounds[r] as RoundFigures, off.rounds[r] as RoundFigures)));
}

/** Throughput of `on` as a fraction of `off`'s. */
export const throughputRatio: Pair = (on, off) => (off.rps > 0 ? on.rps / off.rps : undefined);
/** Added p50 latency, ms. */
export const addedP50: Pair = (on, off) => on.p50 - off.p50;
/** Added p99 latency, ms. */
export const addedP99: Pair = (on, off) => on.p99 - off.p99;
/** Added time to first token (p50), ms; streams only. */
export const addedTtft: Pair = (on, off) => (on.ttftP50 === undefined || off.ttftP50 === undefined ? undefined : on.ttftP50 - off.ttftP50);
/** Added workerd CPU per request, ms. */
export const addedCpu: Pair = (on, off) =>
  on.cpu?.workerd === undefined || off.cpu?.workerd === undefined ? undefined : on.cpu.workerd - off.cpu.workerd;
/** Workerd CPU per request, ms. */
export const workerdCpu: Pick = (r) => r.cpu?.workerd;

/**
 * `median [min, max]` with `digits` decimals after multiplying by `scale` (100 for percent), or —.
 * A single round prints its figure alone.
 */
export function formatSpread(s: Spread | undefined, digits = 2, scale = 1, unit = ''): string {
  if (s === undefined) return '—';
  const f = (v: number): string => (v * scale).toFixed(digits);
  return s.n === 1 ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} [${f(s.min)}, ${f(s.max)}]`;
}

/** Whether a target `limit` on the median is met, and whether the run-to-run range stays on the same side of it. */
export interface Verdict {
  pass: boolean;
  /** The range of the rounds reaches across the limit: a different run could land on the other side. */
  straddles: boolean;
}

/** Verdict on a figure that must stay at or below `limit` (`atMost`) or at or above it. */
export function verdict(s: Spread | undefined, limit: number, atMost: boolean): Verdict | undefined {
  if (s === undefined) return undefined;
  const ok = (v: number): boolean => (atMost ? v <= limit : v >= limit);
  return { pass: ok(s.median), straddles: ok(s.min) !== ok(s.max) };
}

/** `PASS` or `MISS` on the median (`n/a` when unknown), plus `(range crosses it)` when the rounds' range straddles the limit. */
export function mark(v: Verdict | undefined): string {
  if (v === undefined) return 'n/a';
  return `${v.pass ? 'PASS' : 'MISS'}${v.straddles ? ' (range crosses it)' : ''}`;
}
