// Caller side of the breakers: an isolate-local copy, reports through waitUntil, probe grants, fail open.
import { writeWarning } from '../observability/log.ts';
import { withTimeout } from '../timeout.ts';
import type { BreakerObject, BreakerReply } from './object.ts';
import { type BreakerEvent, type BreakerOptions, type BreakerState, initialState, next, phaseAt } from './policy.ts';

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
  /** Successes not yet sent to the object, and when the last batch went. */
  pending: number;
  lastMs: number;
  flushedAt: number;
}

// Shared by every request of this isolate.
const local = new Map<string, Local>();

/** Keeps background work alive after the response (the request's `waitUntil`). */
export type Background = (promise: Promise<unknown>) => void;

/** What the fallback loop asks of the breakers. */
export interface BreakerGate {
  /** May this provider be called now? Waits on the object only to ask for a half-open probe. */
  admit(provider: string, background: Background): Promise<boolean>;
  /** Whether this isolate's copy says the breaker is open (no wait): retries stop then. */
  isOpen(provider: string): boolean;
  /** Reports an outcome without delaying the response. */
  report(provider: string, event: BreakerEvent, background: Background): void;
}

/**
 * The gate over the BREAKER namespace, one per isolate and config. Resilience infrastructure must
 * never become the outage: when the object errors or is slow, the request goes ahead as if the
 * breaker were closed.
 */
export function breakerGate(namespace: DurableObjectNamespace<BreakerObject>, options: BreakerOptions): BreakerGate {
  const call = (provider: string, event: BreakerEvent): Promise<BreakerReply> =>
    withTimeout(namespace.getByName(provider).apply(event, options), RPC_TIMEOUT_MS, 'breaker object');
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
    async admit(provider, background) {
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
        refresh(provider, entry, background);
      }
      const phase = phaseAt(entry.state, Date.now());
      if (phase === 'closed') return true;
      if (phase === 'open') return false;
      try {
        const reply = await call(provider, { type: 'probe' });
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
    report(provider, event, background) {
      const now = Date.now();
      let current = local.get(provider);
      if (current === undefined) {
        current = fresh();
        local.set(provider, current);
      }
      if (event.type === 'success' && current.state.state === 'closed') {
        // The common case, kept cheap: a success only ends a run of failures locally, and goes to
        // the object's failure-rate window in a batch, one call a second.
        if (current.state.consecutiveFailures > 0) current.state = { ...current.state, consecutiveFailures: 0 };
        current.pending += 1;
        current.lastMs = event.ms;
        if (now - current.flushedAt < SUCCESS_BATCH_MS) return;
        return send(provider, current, undefined, background);
      }
      // Apply locally at once, so this isolate reacts to its own failures before the object answers.
      current.state = next(current.state, event, now, options).state;
      send(provider, current, event, background);
    },
  };

  /** Sends the pending successes, then `event`, in order, in the background. */
  function send(provider: string, entry: Local, event: BreakerEvent | undefined, waitUntil: Background): void {
    const batch: BreakerEvent | undefined = entry.pending > 0 ? { type: 'success', ms: entry.lastMs, count: entry.pending } : undefined;
    entry.pending = 0;
    entry.flushedAt = Date.now();
    const events = [batch, event].filter((e): e is BreakerEvent => e !== undefined);
    waitUntil(
      events
        .reduce<Promise<BreakerReply | undefined>>((chain, e) => chain.then(() => call(provider, e)), Promise.resolve(undefined))
        .then((reply) => {
          if (reply !== undefined) learn(provider, reply.state);
        })
        .catch((err: unknown) => failOpen(provider, err, local.get(provider))),
    );
  }
}

function fresh(): Local {
  return { state: initialState(Date.now()), at: 0, refreshing: false, pending: 0, lastMs: 0, flushedAt: 0 };
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
