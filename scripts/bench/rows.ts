// Measured rows: which target they measured, a row's figures overall and per round, and the number formats the report shares.
import type { Measurement, Slice } from './interleave.ts';
import { type LatencySummary, summarize } from './stats.ts';
import type { Instance } from './workers.ts';

/**
 * Which way the requests went: (a) direct, (b) forwarder, (c) proxy (cache off), (d) proxy under
 * wrangler dev, (e) proxy answering from its KV cache, and the layer variants, each one switch
 * away from (c) or (h): (f) breakers off, (g) a weighted draw over two targets, (h) a client key
 * without limits, (i) one with token budgets, (j) one with an rpm limit, (k) the per-IP limit on,
 * (l) the response cache on, every request a miss. plan.ts says what each sends.
 */
export type TargetId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l';

/** A measured server, named with the runtime it ran on. */
export interface Target {
  id: TargetId;
  label: string;
  runtime: string;
  origin: string;
  /** The Miniflare instance it runs on, whose workerd process its CPU time is read from; none for (a) and (d). */
  instance?: Instance;
}

/** CPU milliseconds per request while one target was measured, by process. */
export interface CpuPerRequest {
  /** The target's own workerd process; undefined for a target without one. */
  workerd: number | undefined;
  /** The Node process hosting Miniflare, which reads every workerd's log output. */
  host: number;
  /** The mock vendor's Node process. */
  mock: number;
  /** The load generator (this process). */
  generator: number;
}

/** One round's figures of a row: its slice alone. */
export interface RoundFigures {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  ttftP50: number | undefined;
  cpu: CpuPerRequest | undefined;
}

/** One table row: one target, one mode, one concurrency. */
export interface Row {
  target: Target;
  stream: boolean;
  concurrency: number;
  requests: number;
  /** Measured-phase errors plus warm-up errors. */
  errors: number;
  errorSamples: string[];
  /** Over all rounds. */
  rps: number;
  latency: LatencySummary;
  ttft: LatencySummary | undefined;
  cpu: CpuPerRequest | undefined;
  /** Each round on its own, in round order (the same rounds for every target of one phase). */
  rounds: RoundFigures[];
}

/** CPU per request of `target` from CPU milliseconds by role over `requests` requests; undefined without CPU readings. */
export function cpuPerRequest(target: Target, cpuMs: Record<string, number> | undefined, requests: number): CpuPerRequest | undefined {
  if (cpuMs === undefined || requests === 0) return undefined;
  const per = (role: string | undefined): number | undefined => {
    const ms = role === undefined ? undefined : cpuMs[role];
    return ms === undefined ? undefined : ms / requests;
  };
  return { workerd: per(target.instance), host: per('host') ?? 0, mock: per('mock') ?? 0, generator: per('generator') ?? 0 };
}

/** Sums CPU milliseconds by role over slices; undefined when any slice has none. */
export function sumCpu(slices: readonly Slice[]): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const s of slices) {
    if (s.cpuMs === undefined) return undefined;
    for (const [role, ms] of Object.entries(s.cpuMs)) out[role] = (out[role] ?? 0) + ms;
  }
  return out;
}

function roundOf(target: Target, stream: boolean, slice: Slice): RoundFigures {
  const { result } = slice;
  const latency = summarize(result.latency);
  return {
    requests: result.requests,
    rps: result.rps,
    p50: latency.p50,
    p99: latency.p99,
    ttftP50: stream ? summarize(result.ttft).p50 : undefined,
    cpu: cpuPerRequest(target, slice.cpuMs, result.requests),
  };
}

/** Summarises one measurement into a row, overall and per round. */
export function toRow(target: Target, stream: boolean, concurrency: number, m: Measurement): Row {
  return {
    target,
    stream,
    concurrency,
    requests: m.requests,
    errors: m.errors + m.warmupErrors,
    errorSamples: m.errorSamples,
    rps: m.rps,
    latency: summarize(m.latency),
    ttft: stream ? summarize(m.ttft) : undefined,
    cpu: cpuPerRequest(target, sumCpu(m.slices), m.requests),
    rounds: m.slices.map((s) => roundOf(target, stream, s)),
  };
}

/** The row of target `id` in one mode at concurrency `c`, when it was measured. */
export function find(rows: Row[], id: TargetId, stream: boolean, c: number): Row | undefined {
  return rows.find((r) => r.target.id === id && r.stream === stream && r.concurrency === c);
}

/** Total errors over every row (warm-ups included). */
export function totalErrors(rows: Row[]): number {
  return rows.reduce((sum, r) => sum + r.errors, 0);
}

/** Milliseconds with two decimals, or — when unknown. */
export const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(2));
/** Bytes as KB with one decimal. */
export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** A rate of `a` relative to `b` in percent, or — when either is missing. */
export function pct(a: Row | undefined, b: Row | undefined): string {
  return a && b && b.rps > 0 ? `${((a.rps / b.rps) * 100).toFixed(1)}%` : '—';
}
