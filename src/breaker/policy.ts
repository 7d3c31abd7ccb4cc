// Pure circuit-breaker state machine (SPEC section 4 "Circuit breaker") and the status figures it keeps: next(state, event, now, options).
import type { ProxyConfig } from '../config/schema.ts';

export type BreakerOptions = ProxyConfig['breaker'];

/** A granted half-open probe is given back after this long even if its outcome never arrives. */
export const PROBE_LEASE_MS = 60_000;
/** Samples kept for the status page: latencies, times to first token, recent outcomes. */
export const RECENT_SAMPLES = 50;

/** A key the vendor rejected (401/403, out of quota), as the breaker keeps it until a success. */
export interface KeyRejection {
  /** 1-based position in the provider's key pool, and the pool's size; 0 of 0 when called without a key. */
  position: number;
  pool: number;
  status: number | null;
  at: number;
}

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
  /** Upstream time of recent outcomes (ms): a whole answer, or a stream from its start to its end. */
  latencies: number[];
  /** Time to first token of recent streams (ms, from the attempt's start to its commit point). */
  ttfts: number[];
  /** Recent outcomes, 1 failure 0 success: the success rate. Unlike `window`, kept when the breaker opens. */
  recent: number[];
  /** Streams of this provider that broke and another target continued (`rescued`); streams it continued (`rescuer`). */
  rescues: { rescued: number; rescuer: number; lastAt: number | null };
  /** The last key rejection; cleared by a success. */
  keyRejected: KeyRejection | null;
  /** Keys of a pool the vendor refused or rate-limited and that were set aside, the latest per position, for an hour. */
  keysSetAside: KeyRejection[];
  lastError: { kind: string; at: number } | null;
  updatedAt: number;
}

/** What an outcome adds to the status figures (besides the health verdict). */
export interface OutcomeFacts {
  /** Latency samples; `[ms]` when absent. */
  samples?: number[];
  /** Times to first token (streams only). */
  ttfts?: number[];
  /** Streams this provider continued after another broke. */
  rescuer?: number;
}

export type BreakerEvent =
  /** `count` successes at once (the client batches them while closed); `ms` is the latest latency. */
  | ({ type: 'success'; ms: number; count?: number } & OutcomeFacts)
  | ({
      type: 'failure';
      ms: number;
      kind: string;
      retryAfterMs?: number;
      /** The broken stream was continued by another target. */
      rescued?: boolean;
      /** The vendor rejected the key (401/403, quota). */
      key?: Omit<KeyRejection, 'at'>;
    } & OutcomeFacts)
  /** An outcome that says nothing about the provider's health (a client error): frees a probe. */
  | { type: 'neutral' }
  /** One key of a pool was refused or rate-limited and set aside; the request went on with another key: not a failure. */
  | { type: 'key'; key: Omit<KeyRejection, 'at'> }
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
    ttfts: [],
    recent: [],
    rescues: { rescued: 0, rescuer: 0, lastAt: null },
    keyRejected: null,
    keysSetAside: [],
    lastError: null,
    updatedAt: now,
  };
}

/** How long a set-aside key stays on the status page. */
const KEY_ASIDE_SHOWN_MS = 3_600_000;

/** A stored state of any earlier version, completed with the fields it lacks. */
export function upgradeState(stored: Partial<BreakerState> | undefined, now: number): BreakerState {
  return { ...initialState(now), ...stored };
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
    case 'key': {
      const others = s.keysSetAside.filter((k) => k.position !== event.key.position && now - k.at < KEY_ASIDE_SHOWN_MS);
      // The request goes on with the pool's next key under the same probe, if it holds one: the probe stays taken.
      return { state: { ...s, keysSetAside: [...others, { ...event.key, at: now }] }, granted: false };
    }
    case 'success': {
      const seen = { ...s, ...figures(s, event, 0, event.count ?? 1, now), keyRejected: null };
      if (s.state === 'half_open') {
        const { latencies, ttfts, recent, rescues } = seen;
        return { state: { ...initialState(now), latencies, ttfts, recent, rescues, lastError: s.lastError }, granted: false };
      }
      if (s.state === 'open') return { state: seen, granted: false };
      const window = push(s.window, 0, options.windowSize, event.count ?? 1);
      return { state: { ...seen, consecutiveFailures: 0, window }, granted: false };
    }
    case 'failure': {
      const keyRejected = event.key === undefined ? s.keyRejected : { ...event.key, at: now };
      const failed = { ...s, ...figures(s, event, 1, 1, now), lastError: { kind: event.kind, at: now }, keyRejected };
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

/** The status figures after one outcome (`outcome` 1 failure, 0 success, `count` of them). */
function figures(
  s: BreakerState,
  event: Extract<BreakerEvent, { type: 'success' | 'failure' }>,
  outcome: 0 | 1,
  count: number,
  now: number,
): Pick<BreakerState, 'latencies' | 'ttfts' | 'recent' | 'rescues'> {
  const rescued = event.type === 'failure' && event.rescued === true ? 1 : 0;
  const rescuer = event.rescuer ?? 0;
  return {
    latencies: [...s.latencies, ...(event.samples ?? [event.ms])].slice(-RECENT_SAMPLES),
    ttfts: [...s.ttfts, ...(event.ttfts ?? [])].slice(-RECENT_SAMPLES),
    recent: push(s.recent, outcome, RECENT_SAMPLES, count),
    rescues:
      rescued + rescuer === 0 ? s.rescues : { rescued: s.rescues.rescued + rescued, rescuer: s.rescues.rescuer + rescuer, lastAt: now },
  };
}
