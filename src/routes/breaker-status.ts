// The per-provider view shared by /status, /status.json and /admin/breakers: breaker, recent traffic, keys.
import type { BreakerObject } from '../breaker/object.ts';
import { type BreakerState, type KeyRejection, PROBE_LEASE_MS, phaseAt } from '../breaker/policy.ts';
import { type Percentiles, stats } from '../breaker/stats.ts';
import { keyValues, type ResolvedProvider, type RuntimeConfig } from '../config/load.ts';
import { writeWarning } from '../observability/log.ts';
import type { SpendReport } from '../spend/report.ts';
import { withTimeout } from '../timeout.ts';

/** How long the status routes wait for one breaker object before showing it as `unknown`. */
const SNAPSHOT_TIMEOUT_MS = 750;

/** The provider's key (or key pool) as the proxy sees it: the secrets' names and positions, never their values. */
export interface KeyStatus {
  /** `present`, `missing` (no key of the pool is set: targets are skipped), `rejected` by the vendor since the last success, or `none_needed`. */
  state: 'present' | 'missing' | 'rejected' | 'none_needed';
  /** Names of the secrets holding the pool's keys, in pool order, joined by commas. */
  env: string | null;
  /** Keys in the pool. */
  pool: number;
  /** Positions (1-based) of the pool whose secret is not set. */
  missing: number[];
  rejected: KeyRejection | null;
  /** Keys of a pool the vendor refused or rate-limited in the last hour, set aside while the others served (by position). */
  setAside: KeyRejection[];
}

/**
 * The verdict a person reads first. Never `healthy` without a usable key: `no_key` and
 * `key_rejected` win over whatever the breaker says.
 */
export type Health = 'healthy' | 'degraded' | 'idle' | 'probing' | 'down' | 'no_key' | 'key_rejected' | 'unknown';

/** One provider as the status routes show it. Times are epoch ms; nothing secret. */
export interface ProviderStatus {
  provider: string;
  health: Health;
  /** Whether a request would be sent to it now: its key is there (or none is needed) and not rejected, its breaker admits traffic. */
  usable: boolean;
  /** As seen now: an open breaker whose time is up is `half_open`; `unknown` when its object did not answer. */
  state: BreakerState['state'] | 'unknown';
  /** Failure share of the closed breaker's window (what opens it); null when unknown. */
  failureRate: number | null;
  windowCalls: number | null;
  /** Success share of the last 50 outcomes, kept across opening; null before any. */
  successRate: number | null;
  recentCalls: number | null;
  consecutiveFailures: number | null;
  /** Upstream time of recent answers (a stream: start to end). */
  latencyMs: Percentiles;
  /** Time to first token of recent streams. */
  ttftMs: Percentiles;
  /** Broken streams of this provider continued by another target (`rescued`), streams it continued (`rescuer`). */
  rescues: BreakerState['rescues'] | null;
  key: KeyStatus;
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
  /** The day's spend per client: for the admin only (absent on a public page read without the token). */
  spend?: SpendReport;
}

type Namespace = DurableObjectNamespace<BreakerObject>;

/** The key pool of `provider` in `env`, and what the vendor refused (from the breaker state, when known). */
export function keyStatus(provider: ResolvedProvider, env: object, state: BreakerState | undefined): KeyStatus {
  const pool = provider.keyEnvs.length;
  const setAside = state?.keysSetAside ?? [];
  const rejected = state?.keyRejected ?? null;
  if (pool === 0) return { state: 'none_needed', env: null, pool, missing: [], rejected, setAside };
  const name = provider.keyEnvs.join(', ');
  const missing = keyValues(env, provider).flatMap((value, i) => (value === undefined ? [i + 1] : []));
  if (missing.length === pool) return { state: 'missing', env: name, pool, missing, rejected: null, setAside };
  return { state: rejected === null ? 'present' : 'rejected', env: name, pool, missing, rejected, setAside };
}

/** The verdict of a provider (pure). */
export function healthOf(p: Pick<ProviderStatus, 'state' | 'key' | 'recentCalls' | 'successRate' | 'failureRate'>): Health {
  if (p.key.state === 'missing') return 'no_key';
  if (p.key.state === 'rejected' || (p.key.state === 'none_needed' && p.key.rejected !== null)) return 'key_rejected';
  if (p.state === 'unknown') return 'unknown';
  if (p.state === 'open') return 'down';
  if (p.state === 'half_open') return 'probing';
  if (p.recentCalls === 0) return 'idle';
  if ((p.successRate !== null && p.successRate < 1) || (p.failureRate ?? 0) > 0) return 'degraded';
  return 'healthy';
}

/** Describes one provider at `now` from its stored breaker state (undefined: the object did not answer). */
export function describeProvider(
  provider: ResolvedProvider,
  state: BreakerState | undefined,
  models: string[],
  env: object,
  now: number,
): ProviderStatus {
  const key = keyStatus(provider, env, state);
  const known = state === undefined ? undefined : { phase: phaseAt(state, now), figures: stats(state), state };
  const base = {
    provider: provider.id,
    state: known?.phase ?? 'unknown',
    failureRate: known?.figures.failureRate ?? null,
    windowCalls: known?.state.window.length ?? null,
    successRate: known?.figures.successRate ?? null,
    recentCalls: known?.figures.recentCalls ?? null,
    consecutiveFailures: known?.state.consecutiveFailures ?? null,
    latencyMs: known?.figures.latency ?? { p50: null, p95: null },
    ttftMs: known?.figures.ttft ?? { p50: null, p95: null },
    rescues: known?.state.rescues ?? null,
    key,
    lastError: known?.state.lastError ?? null,
    nextProbeAt: known?.phase === 'open' ? known.state.openUntil : null,
    probesInFlight:
      known === undefined ? null : known.phase === 'half_open' ? known.state.probes.filter((at) => now - at < PROBE_LEASE_MS).length : 0,
    reopens: known?.state.reopens ?? null,
    models,
    updatedAt: known?.state.updatedAt ?? null,
  } satisfies Omit<ProviderStatus, 'health' | 'usable'>;
  const health = healthOf(base);
  const usable = health !== 'no_key' && health !== 'key_rejected' && health !== 'down';
  return { ...base, health, usable };
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
 * must work best exactly when things are failing. Keys are read from `env` (present or not).
 */
export async function statusReport(namespace: Namespace | undefined, config: RuntimeConfig, env: object): Promise<StatusReport> {
  const models = modelsByProvider(config);
  const providers = await Promise.all(
    [...config.providers.values()].map(async (provider) => {
      const aliases = models.get(provider.id) ?? [];
      let state: BreakerState | undefined;
      if (namespace !== undefined) {
        try {
          state = await withTimeout(namespace.getByName(provider.id).snapshot(), SNAPSHOT_TIMEOUT_MS, 'breaker object');
        } catch (err) {
          writeWarning('breaker unavailable for status', {
            provider: provider.id,
            error: err instanceof Error ? err.message.slice(0, 120) : 'unknown',
          });
        }
      }
      return describeProvider(provider, state, aliases, env, Date.now());
    }),
  );
  return { now: Date.now(), providers };
}
