// Caller side of the breakers: an isolate-local copy, reports through waitUntil, probe grants, fail open.
import { type EventSink, emit } from '../observability/events.ts';
import { writeWarning } from '../observability/log.ts';
import { withTimeout } from '../timeout.ts';
import type { BreakerObject, BreakerReply } from './object.ts';
import { type BreakerEvent, type BreakerOptions, type BreakerState, initialState, next, phaseAt, RECENT_SAMPLES } from './policy.ts';
import { quantile } from './stats.ts';

/** How long the local copy is trusted before it is refreshed in the background. */
const FRESH_MS = 1000;
/** The longest a request waits for the object (first sight of a provider, probe grants); then it fails open. */
const RPC_TIMEOUT_MS = 250;
/** Successes while closed are sent to the object in batches, at most this often per provider. */
const SUCCESS_BATCH_MS = 1000;

interface Local {
  state: BreakerState;
  at: number;
  refreshing: boolean;
  /** Successes not yet sent to the object (with their figures), and when the last batch went. */
  pending: number;
  lastMs: number;
  samples: number[];
  ttfts: number[];
  rescuer: number;
  flushedAt: number;
}

// Shared by every request of this isolate.
const local = new Map<string, Local>();

/** Keeps background work alive after the response (the request's `waitUntil`). */
export type Background = (promise: Promise<unknown>) => void;

/**
 * Where background work and transition events go: the request's `waitUntil` alone, or an event
 * sink that also reaches the alert webhook.
 */
export type Sink = Background | EventSink;

function sinkOf(sink: Sink): EventSink {
  return typeof sink === 'function' ? { waitUntil: sink, alert: undefined } : sink;
}

/** What the fallback loop asks of the breakers. */
export interface BreakerGate {
  /** May this provider be called now? Waits on the object only to ask for a half-open probe. */
  admit(provider: string, sink: Sink): Promise<boolean>;
  /** Whether this isolate's copy says the breaker is open (no wait): retries stop then. */
  isOpen(provider: string): boolean;
  /**
   * Recent median latency and time to first token (ms) from this isolate's copy, for the latency
   * balancer; no wait, undefined before this isolate learnt the provider's state.
   */
  latency(provider: string): { latencyMs: number | undefined; ttftMs: number | undefined } | undefined;
  /** Reports an outcome without delaying the response. */
  report(provider: string, event: BreakerEvent, sink: Sink): void;
}

/**
 * Writes the event line (and sends the alert) of a transition the object made. Only the object's
 * transitions are announced, each by the isolate whose call caused it: the isolate-local copies
 * apply outcomes too, to react at once, but what they predict is never logged, so a transition is
 * logged once however many isolates see it.
 */
export function announce(provider: string, reply: BreakerReply, sink: EventSink): void {
  const change = reply.change;
  if (change === undefined) return;
  emit({ event: 'breaker_state', provider, ...change }, sink);
}

/**
 * The gate over the BREAKER namespace, one per isolate and config. Resilience infrastructure must
 * never become the outage: when the object errors or is slow, the request goes ahead as if the
 * breaker were closed.
 */
export function breakerGate(namespace: DurableObjectNamespace<BreakerObject>, options: BreakerOptions): BreakerGate {
  const call = (provider: string, event: BreakerEvent, sink: EventSink): Promise<BreakerReply> => {
    const rpc = namespace.getByName(provider).apply(event, options);
    // Announced from the call itself (registered first, so it runs before the waiter below), not
    // from its timed-out wrapper: a reply slower than the wait still gets its event line while the
    // isolate lives. Not held by waitUntil, so an object that never answers holds nothing open.
    rpc.then((reply) => announce(provider, reply, sink)).catch(() => {});
    return withTimeout(rpc, RPC_TIMEOUT_MS, 'breaker object');
  };
  const learn = (provider: string, state: BreakerState): void => {
    const entry = local.get(provider);
    local.set(provider, { ...(entry ?? fresh()), state, at: Date.now(), refreshing: false });
  };
  const refresh = (provider: string, entry: Local | undefined, waitUntil: Background): void => {
    if (entry?.refreshing) return;
    if (entry !== undefined) entry.refreshing = true;
    waitUntil(
      withTimeout(namespace.getByName(provider).snapshot(), RPC_TIMEOUT_MS, 'breaker object')
        .then((state) => learn(provider, state))
        .catch((err: unknown) => failOpen(provider, err, entry)),
    );
  };
  return {
    async admit(provider, sink) {
      const events = sinkOf(sink);
      let entry = local.get(provider);
      if (entry === undefined) {
        // First sight of this provider in this isolate: wait (briefly) for the truth, so a new
        // isolate does not send a request to a provider whose breaker is open.
        try {
          learn(provider, await withTimeout(namespace.getByName(provider).snapshot(), RPC_TIMEOUT_MS, 'breaker object'));
        } catch (err) {
          failOpen(provider, err, undefined);
          local.set(provider, { ...fresh(), at: Date.now() });
          return true;
        }
        entry = local.get(provider) as Local;
      } else if (Date.now() - entry.at > FRESH_MS) {
        refresh(provider, entry, events.waitUntil);
      }
      const phase = phaseAt(entry.state, Date.now());
      if (phase === 'closed') return true;
      if (phase === 'open') return false;
      try {
        const reply = await call(provider, { type: 'probe' }, events);
        learn(provider, reply.state);
        return reply.granted;
      } catch (err) {
        failOpen(provider, err, entry);
        return true;
      }
    },
    isOpen(provider) {
      const entry = local.get(provider);
      return entry !== undefined && phaseAt(entry.state, Date.now()) === 'open';
    },
    latency(provider) {
      const entry = local.get(provider);
      return entry === undefined ? undefined : medians(entry.state);
    },
    report(provider, event, sink) {
      const now = Date.now();
      const events = sinkOf(sink);
      let current = local.get(provider);
      if (current === undefined) {
        current = fresh();
        local.set(provider, current);
      }
      if (event.type === 'success' && current.state.state === 'closed') {
        // The common case, kept cheap: a success only ends a run of failures locally, and goes to
        // the object's failure-rate window in a batch, one call a second.
        if (current.state.consecutiveFailures > 0) current.state = { ...current.state, consecutiveFailures: 0 };
        hold(current, event);
        if (now - current.flushedAt < SUCCESS_BATCH_MS) return;
        return send(provider, current, undefined, events);
      }
      // Apply locally at once, so this isolate reacts to its own failures before the object answers.
      current.state = next(current.state, event, now, options).state;
      send(provider, current, event, events);
    },
  };

  /** Sends the pending successes, then `event`, in order, in the background. */
  function send(provider: string, entry: Local, event: BreakerEvent | undefined, sink: EventSink): void {
    const batch: BreakerEvent | undefined =
      entry.pending > 0
        ? { type: 'success', ms: entry.lastMs, count: entry.pending, samples: entry.samples, ttfts: entry.ttfts, rescuer: entry.rescuer }
        : undefined;
    entry.pending = 0;
    entry.samples = [];
    entry.ttfts = [];
    entry.rescuer = 0;
    entry.flushedAt = Date.now();
    const events = [batch, event].filter((e): e is BreakerEvent => e !== undefined);
    sink.waitUntil(
      events
        .reduce<Promise<BreakerReply | undefined>>((chain, e) => chain.then(() => call(provider, e, sink)), Promise.resolve(undefined))
        .then((reply) => {
          if (reply !== undefined) learn(provider, reply.state);
        })
        .catch((err: unknown) => failOpen(provider, err, local.get(provider))),
    );
  }
}

/** Adds a success to the pending batch: its count, latency, time to first token and rescues. */
function hold(entry: Local, event: Extract<BreakerEvent, { type: 'success' }>): void {
  entry.pending += event.count ?? 1;
  entry.lastMs = event.ms;
  keepRecent(entry.samples, event.samples ?? [event.ms]);
  keepRecent(entry.ttfts, event.ttfts ?? []);
  entry.rescuer += event.rescuer ?? 0;
}

/** Appends `values` to a batch's figures in place, keeping the last RECENT_SAMPLES (a batch is sent, then replaced, never shared). */
function keepRecent(figures: number[], values: readonly number[]): void {
  for (const value of values) figures.push(value);
  if (figures.length > RECENT_SAMPLES) figures.splice(0, figures.length - RECENT_SAMPLES);
}

// Medians per stored state object: a state is replaced, never changed, so each is computed once.
const medianCache = new WeakMap<BreakerState, { latencyMs: number | undefined; ttftMs: number | undefined }>();

function medians(state: BreakerState): { latencyMs: number | undefined; ttftMs: number | undefined } {
  let figures = medianCache.get(state);
  if (figures === undefined) {
    figures = { latencyMs: quantile(state.latencies, 0.5) ?? undefined, ttftMs: quantile(state.ttfts, 0.5) ?? undefined };
    medianCache.set(state, figures);
  }
  return figures;
}

function fresh(): Local {
  return {
    state: initialState(Date.now()),
    at: 0,
    refreshing: false,
    pending: 0,
    lastMs: 0,
    samples: [],
    ttfts: [],
    rescuer: 0,
    flushedAt: 0,
  };
}

function failOpen(provider: string, err: unknown, entry: Local | undefined): void {
  if (entry !== undefined) entry.refreshing = false;
  writeWarning('breaker unavailable; failing open', { provider, error: err instanceof Error ? err.message.slice(0, 120) : 'unknown' });
}

/** Forgets the isolate-local copies (tests; an admin override). */
export function forgetLocalBreakers(provider?: string): void {
  if (provider === undefined) local.clear();
  else local.delete(provider);
}
