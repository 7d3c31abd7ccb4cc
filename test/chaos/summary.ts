// What a chaos run came to: counts by ending and source, latency, vendor calls against breaker bounds. Pure.
import { quantile } from '../../scripts/bench/stats.ts';
import type { MockCall } from '../mock-provider/handler.ts';
import { ALIASES } from './aliases.ts';
import { CHAOS_BREAKER } from './config.ts';
import type { Outcome } from './load.ts';

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export interface DeadVendor {
  provider: string;
  alias: string;
  /** Requests for the alias during the load. */
  requests: number;
  /** Calls the vendor received during the load (its log at the mock). */
  calls: number;
  /** The most its breaker lets through in the run (see `deadCallBound`). */
  bound: number;
}

export interface AliasRow {
  alias: string;
  what: string;
  requests: number;
  /** Requests that skipped a target because its breaker was open. */
  breakerSkips: number;
  /** Client-visible errors: non-200 answers, in-band stream errors, truncated answers, transport failures. */
  errors: number;
  inband: number;
  bySource: Record<string, number>;
  latency: Latency;
}

export interface ChaosSummary {
  sent: number;
  /** Requests that got an HTTP answer read to its end (any status, any ending). */
  answered: number;
  errored: number;
  httpErrors: number;
  inband: number;
  truncated: number;
  transport: number;
  bySource: Record<string, number>;
  latency: Latency;
  elapsedMs: number;
  dead: DeadVendor[];
  /** Continuations asked of prefill targets (calls whose last message is the assistant's text so far). */
  rescues: number;
  /** Calls the fault relay scripted as failing, by provider, against the provider's calls. */
  scripted: Record<string, { calls: number; faulty: number }>;
  aliases: AliasRow[];
  flap: Flaps;
}

/** How the flapping vendor went: each time its breaker was seen open and, later, seen closed again. */
export interface Flaps {
  downs: number;
  ups: number;
  /**
   * For each down that ended: ms from the start of the first request that found the breaker open
   * to the end of the first request, started after that, that the vendor answered again.
   */
  downMs: number[];
}

/**
 * Reads the flaps of `primary` from its alias's answers, in the order they ended. A request turned
 * away while the half-open probe was still in flight (it started before the probe's answer ended)
 * belongs to the down that probe closes, not to a new one. Pure.
 */
export function flapsOf(outcomes: readonly Outcome[], primary: string): Flaps {
  const sorted = [...outcomes].sort((a, b) => a.endedAt - b.endedAt);
  const flaps: Flaps = { downs: 0, ups: 0, downMs: [] };
  let openSince: number | undefined;
  let closedAt = Number.NEGATIVE_INFINITY;
  for (const o of sorted) {
    const started = o.endedAt - o.ms;
    if (o.breakerSkips.includes(primary)) {
      if (openSince === undefined && started > closedAt) {
        flaps.downs += 1;
        openSince = started;
      }
    } else if (o.provider === primary && openSince !== undefined && started > openSince) {
      flaps.ups += 1;
      flaps.downMs.push(o.endedAt - openSince);
      openSince = undefined;
      closedAt = o.endedAt;
    }
  }
  return flaps;
}

/** The provider id a mock call was made for (its scenario's `id=`). */
export function providerOf(call: MockCall): string {
  return /(?:^|,)id=([^,]+)/.exec(call.scenario)?.[1] ?? '?';
}

/**
 * Calls a dead vendor can get while `elapsedMs` of load pass: the failures that open its breaker,
 * one more call from each request already in flight when it opened, and one probe per `openMs`
 * (plus one for the partial period at each end).
 */
export function deadCallBound(elapsedMs: number, concurrency: number): number {
  return CHAOS_BREAKER.consecutiveFailures + concurrency + Math.ceil(elapsedMs / CHAOS_BREAKER.openMs) + 1;
}

export function latencyOf(outcomes: readonly Outcome[]): Latency {
  const sorted = Float64Array.from(outcomes.map((o) => o.ms)).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

const isError = (o: Outcome): boolean => o.ending !== 'json' && o.ending !== 'done';

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function isContinuation(call: MockCall): boolean {
  const messages = (call.body as { messages?: { role?: string }[] } | null)?.messages;
  return Array.isArray(messages) && messages.at(-1)?.role === 'assistant';
}

/** Sums up one run; `calls` are the mock's calls made during the load only. */
export function summarize(outcomes: readonly Outcome[], calls: readonly MockCall[], elapsedMs: number, concurrency: number): ChaosSummary {
  const callsBy = countBy(calls, providerOf);
  const dead: DeadVendor[] = [];
  const aliases: AliasRow[] = [];
  for (const [name, alias] of Object.entries(ALIASES)) {
    const mine = outcomes.filter((o) => o.alias === name);
    for (const provider of alias.dead ?? []) {
      dead.push({
        provider,
        alias: name,
        requests: mine.length,
        calls: callsBy[provider] ?? 0,
        bound: deadCallBound(elapsedMs, concurrency),
      });
    }
    aliases.push({
      alias: name,
      what: alias.what,
      requests: mine.length,
      breakerSkips: mine.filter((o) => o.breakerSkips.length > 0).length,
      errors: mine.filter(isError).length,
      inband: mine.filter((o) => o.ending === 'inband-error').length,
      bySource: countBy(mine, (o) => o.source ?? 'none'),
      latency: latencyOf(mine),
    });
  }
  const scripted: ChaosSummary['scripted'] = {};
  for (const call of calls) {
    if (!call.scenario.includes('id=')) continue;
    const provider = providerOf(call);
    const entry = scripted[provider] ?? { calls: 0, faulty: 0 };
    entry.calls += 1;
    if (/(^|,)(status|first-token-delay|cut-after|stall-after)=/.test(call.scenario)) entry.faulty += 1;
    scripted[provider] = entry;
  }
  const rescuers = new Set(
    Object.values(ALIASES).flatMap((a) => a.targets.filter((t) => t.prefill === true || t.protocol === 'anthropic').map((t) => t.provider)),
  );
  return {
    sent: outcomes.length,
    answered: outcomes.filter((o) => o.status > 0).length,
    errored: outcomes.filter(isError).length,
    httpErrors: outcomes.filter((o) => o.ending === 'http-error').length,
    inband: outcomes.filter((o) => o.ending === 'inband-error').length,
    truncated: outcomes.filter((o) => o.ending === 'truncated').length,
    transport: outcomes.filter((o) => o.ending === 'transport-error').length,
    bySource: countBy(
      outcomes.filter((o) => o.status === 200),
      (o) => o.source ?? 'none',
    ),
    latency: latencyOf(outcomes),
    elapsedMs,
    dead,
    rescues: calls.filter((c) => rescuers.has(providerOf(c)) && isContinuation(c)).length,
    scripted,
    aliases,
    flap: flapsOf(
      outcomes.filter((o) => o.alias === 'flap'),
      'flap',
    ),
  };
}
