// The per-provider breaker view shared by /status, /status.json and /admin/breakers.
import type { BreakerObject } from '../breaker/object.ts';
import { type BreakerState, PROBE_LEASE_MS, phaseAt, stats } from '../breaker/policy.ts';
import type { RuntimeConfig } from '../config/load.ts';
import { writeWarning } from '../observability/log.ts';
import { withTimeout } from '../timeout.ts';

/** How long the status routes wait for one breaker object before showing it as `unknown`. */
const SNAPSHOT_TIMEOUT_MS = 750;

/** One provider's breaker as the status routes show it. Times are epoch ms; nothing secret. */
export interface ProviderStatus {
  provider: string;
  /** As seen now: an open breaker whose time is up is `half_open`; `unknown` when its object did not answer. */
  state: BreakerState['state'] | 'unknown';
  /** Failure share of the outcomes in the window (0..1); null when unknown. */
  failureRate: number | null;
  /** Outcomes in the window. */
  windowCalls: number | null;
  consecutiveFailures: number | null;
  latencyMs: { p50: number | null; p95: number | null };
  lastError: { kind: string; at: number } | null;
  /** When an open breaker lets its next probe through; null unless open. */
  nextProbeAt: number | null;
  /** Half-open probes granted whose outcome is not in yet. */
  probesInFlight: number | null;
  /** Consecutive re-opens (each one multiplies `openMs` by `openBackoff`). */
  reopens: number | null;
  /** Model aliases with a target on this provider, in config order. */
  models: string[];
  updatedAt: number | null;
}

export interface StatusReport {
  now: number;
  providers: ProviderStatus[];
}

type Namespace = DurableObjectNamespace<BreakerObject>;

/** Describes one stored state at `now`. */
export function describeBreaker(provider: string, state: BreakerState, models: string[], now: number): ProviderStatus {
  const phase = phaseAt(state, now);
  const { failureRate, p50, p95 } = stats(state);
  return {
    provider,
    state: phase,
    failureRate,
    windowCalls: state.window.length,
    consecutiveFailures: state.consecutiveFailures,
    latencyMs: { p50, p95 },
    lastError: state.lastError,
    nextProbeAt: phase === 'open' ? state.openUntil : null,
    probesInFlight: phase === 'half_open' ? state.probes.filter((at) => now - at < PROBE_LEASE_MS).length : 0,
    reopens: state.reopens,
    models,
    updatedAt: state.updatedAt,
  };
}

function unknownBreaker(provider: string, models: string[]): ProviderStatus {
  return {
    provider,
    state: 'unknown',
    failureRate: null,
    windowCalls: null,
    consecutiveFailures: null,
    latencyMs: { p50: null, p95: null },
    lastError: null,
    nextProbeAt: null,
    probesInFlight: null,
    reopens: null,
    models,
    updatedAt: null,
  };
}

/** Model aliases per provider id. */
export function modelsByProvider(config: RuntimeConfig): Map<string, string[]> {
  const out = new Map<string, string[]>([...config.providers.keys()].map((id) => [id, []]));
  for (const [alias, targets] of config.models) {
    for (const target of targets) {
      const list = out.get(target.provider.id);
      if (list !== undefined && !list.includes(alias)) list.push(alias);
    }
  }
  return out;
}

/**
 * Reads every configured provider's breaker object in parallel. An object that errors or is slower
 * than SNAPSHOT_TIMEOUT_MS (or a Worker without the binding) shows as `unknown`: the status page
 * must work best exactly when things are failing.
 */
export async function statusReport(namespace: Namespace | undefined, config: RuntimeConfig): Promise<StatusReport> {
  const models = modelsByProvider(config);
  const providers = await Promise.all(
    [...config.providers.keys()].map(async (id) => {
      const aliases = models.get(id) ?? [];
      if (namespace === undefined) return unknownBreaker(id, aliases);
      try {
        const state = await withTimeout(namespace.getByName(id).snapshot(), SNAPSHOT_TIMEOUT_MS, 'breaker object');
        return describeBreaker(id, state, aliases, Date.now());
      } catch (err) {
        writeWarning('breaker unavailable for status', {
          provider: id,
          error: err instanceof Error ? err.message.slice(0, 120) : 'unknown',
        });
        return unknownBreaker(id, aliases);
      }
    }),
  );
  return { now: Date.now(), providers };
}
