// Pure circuit-breaker state machine (SPEC section 4 "Circuit breaker"): next(state, event, now, options).
import type { ProxyConfig } from '../config/schema.ts';

export type BreakerOptions = ProxyConfig['breaker'];

/** A granted half-open probe is given back after this long even if its outcome never arrives. */
export const PROBE_LEASE_MS = 60_000;
/** Latencies kept for the status page's percentiles. */
const LATENCY_SAMPLES = 50;

/** The whole state of one provider's breaker, as stored by its Durable Object. */
export interface BreakerState {
  state: 'closed' | 'open' | 'half_open';
  /** The last `windowSize` outcomes, oldest first: 1 failure, 0 success. */
  window: number[];
  consecutiveFailures: number;
  /** While open: when a probe may be tried (epoch ms). */
  openUntil: number;
  /** Consecutive re-opens, for `openBackoff`. */
  reopens: number;
  /** Grant times of probes whose outcome is not in yet. */
  probes: number[];
  latencies: number[];
  lastError: { kind: string; at: number } | null;
  updatedAt: number;
}

export type BreakerEvent =
  /** `count` successes at once (the client batches them while closed); `ms` is the latest latency. */
  | { type: 'success'; ms: number; count?: number }
  | { type: 'failure'; ms: number; kind: string; retryAfterMs?: number }
  /** An outcome that says nothing about the provider's health (a client error): frees a probe. */
  | { type: 'neutral' }
  | { type: 'probe' }
  | { type: 'force'; action: 'open' | 'close' | 'reset' };

export interface Transition {
  state: BreakerState;
  /** For a `probe` event: whether the caller may send its request. */
  granted: boolean;
}

export function initialState(now = 0): BreakerState {
  return {
    state: 'closed',
    window: [],
    consecutiveFailures: 0,
    openUntil: 0,
    reopens: 0,
    probes: [],
    latencies: [],
    lastError: null,
    updatedAt: now,
  };
}

/** Where the breaker stands at `now`: an open breaker whose time is up is half-open. */
export function phaseAt(s: BreakerState, now: number): BreakerState['state'] {
  return s.state === 'open' && now >= s.openUntil ? 'half_open' : s.state;
}

/** Applies one event. Pure: the same state, event, time and options always give the same result. */
export function next(current: BreakerState, event: BreakerEvent, now: number, options: BreakerOptions): Transition {
  const s: BreakerState = { ...current, updatedAt: now, probes: current.probes.filter((at) => now - at < PROBE_LEASE_MS) };
  if (phaseAt(s, now) === 'half_open' && s.state === 'open') s.state = 'half_open';
  switch (event.type) {
    case 'probe': {
      if (s.state === 'closed') return { state: current, granted: true };
      // A refusal changes nothing worth storing: answer the state as it was.
      if (s.state === 'open' || s.probes.length >= options.halfOpenProbes) return { state: current, granted: false };
      return { state: { ...s, probes: [...s.probes, now] }, granted: true };
    }
    case 'neutral':
      return { state: { ...s, probes: s.probes.slice(1) }, granted: false };
    case 'success': {
      const latencies = [...s.latencies, event.ms].slice(-LATENCY_SAMPLES);
      if (s.state === 'half_open') return { state: { ...initialState(now), latencies, lastError: s.lastError }, granted: false };
      if (s.state === 'open') return { state: { ...s, latencies }, granted: false };
      const window = push(s.window, 0, options.windowSize, event.count ?? 1);
      return { state: { ...s, latencies, consecutiveFailures: 0, window }, granted: false };
    }
    case 'failure': {
      const failed = { ...s, lastError: { kind: event.kind, at: now }, latencies: [...s.latencies, event.ms].slice(-LATENCY_SAMPLES) };
      if (s.state === 'open') {
        const until = event.retryAfterMs === undefined ? s.openUntil : Math.max(s.openUntil, now + event.retryAfterMs);
        return { state: { ...failed, openUntil: until }, granted: false };
      }
      if (s.state === 'half_open') return { state: open(failed, now, s.reopens + 1, options, event.retryAfterMs), granted: false };
      const window = push(s.window, 1, options.windowSize);
      const closed = { ...failed, window, consecutiveFailures: s.consecutiveFailures + 1 };
      const failures = window.reduce((a, b) => a + b, 0);
      const trips =
        closed.consecutiveFailures >= options.consecutiveFailures ||
        (window.length >= options.minCalls && failures / window.length >= options.failureRate);
      return { state: trips ? open(closed, now, 0, options, event.retryAfterMs) : closed, granted: false };
    }
    case 'force':
      if (event.action === 'open') return { state: open(s, now, s.reopens, options, undefined), granted: false };
      if (event.action === 'close')
        return { state: { ...s, state: 'closed', window: [], consecutiveFailures: 0, probes: [], openUntil: 0 }, granted: false };
      return { state: initialState(now), granted: false };
  }
}

/** Opens for `openMs × openBackoff^reopens` (at most `maxOpenMs`), or longer when Retry-After says so. */
function open(s: BreakerState, now: number, reopens: number, options: BreakerOptions, retryAfterMs: number | undefined): BreakerState {
  const duration = Math.min(options.maxOpenMs, options.openMs * options.openBackoff ** reopens);
  const until = now + Math.max(duration, retryAfterMs ?? 0);
  return { ...s, state: 'open', openUntil: until, reopens, probes: [], consecutiveFailures: 0, window: [] };
}

function push(window: number[], value: number, size: number, times = 1): number[] {
  const out = [...window];
  for (let i = 0; i < Math.min(times, size); i++) out.push(value);
  return out.length > size ? out.slice(out.length - size) : out;
}

/** Failure rate of the window, p50/p95 latency: what the status page shows. */
export function stats(s: BreakerState): { failureRate: number; p50: number | null; p95: number | null } {
  const failureRate = s.window.length === 0 ? 0 : s.window.reduce((a, b) => a + b, 0) / s.window.length;
  const sorted = [...s.latencies].sort((a, b) => a - b);
  const pick = (q: number) => (sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null));
  return { failureRate, p50: pick(0.5), p95: pick(0.95) };
}
