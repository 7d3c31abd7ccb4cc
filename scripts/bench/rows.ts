// Measured rows: which target they measured, a row's figures, and the lookups and number formats the report shares.
import type { Measurement } from './load.ts';
import { type LatencySummary, summarize } from './stats.ts';

/**
 * Which way the requests went: (a) direct, (b) forwarder, (c) proxy on Miniflare (cache off),
 * (d) proxy under wrangler dev (cache off), (e) proxy on Miniflare answering from its KV cache,
 * (f) proxy on Miniflare without the BREAKER binding (cache off, circuit breakers off),
 * (g) the instance of (c) with a `balance: "weighted"` alias over two targets, (h) and (i) an
 * `auth.mode = "keys"` instance (cache off) with a client key without limits and one with budgets.
 */
export type TargetId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i';

/** A measured server, named with the runtime it ran on. */
export interface Target {
  id: TargetId;
  label: string;
  runtime: string;
  origin: string;
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
  rps: number;
  latency: LatencySummary;
  ttft: LatencySummary | undefined;
}

/** Summarises one measurement into a row. */
export function toRow(target: Target, stream: boolean, concurrency: number, m: Measurement): Row {
  return {
    target,
    stream,
    concurrency,
    requests: m.requests,
    errors: m.errors + m.warmupErrors,
    errorSamples: m.errorSamples,
    rps: m.elapsedMs > 0 ? (m.ok * 1000) / m.elapsedMs : 0,
    latency: summarize(m.latency),
    ttft: stream ? summarize(m.ttft) : undefined,
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
