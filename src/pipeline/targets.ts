// The attempt loop: targets in their route's order, skips, keys in turn, retries with backoff, the next target, the final error.
import type { ResolvedTarget } from '../config/load.ts';
import { emit } from '../observability/events.ts';
import type { TargetCall } from '../protocols/adapter.ts';
import { UnsupportedRequest } from '../protocols/model.ts';
import { targetCall } from '../protocols/registry.ts';
import { type KeyChoice, keyFor, setKeyAside } from '../routing/keys.ts';
import { routeOf } from '../routing/order.ts';
import type { Session } from '../routing/pins.ts';
import { type AttemptResult, attempt } from '../upstream/attempt.ts';
import type { RequestContext } from './context.ts';
import { type Classification, classify, nextMove, type UpstreamFailure } from './fallback.ts';
import { clientGone, describe, type Failed, finalError, terminalError, transientKind } from './final-error.ts';
import { breakerEvent, keyRejection } from './outcome.ts';

/** A target's successful attempt: a whole answer, or a stream past its commit point; and the request's conversation. */
export type Served = { index: number; call: TargetCall; session: Session | undefined } & Extract<AttemptResult, { ok: true }>;

/** How long a key the vendor refused (401/403, out of quota) is set aside when the vendor names no time. */
const REFUSED_KEY_ASIDE_MS = 10 * 60_000;
/** How long a rate-limited key is set aside when the vendor names no time. */
const LIMITED_KEY_ASIDE_MS = 60_000;
/** The shortest a key is set aside, whatever the vendor says (a `Retry-After: 0` must not make a pool spin). */
const MIN_KEY_ASIDE_MS = 1000;

/** Why targets were passed over and what failed, for the final error. */
interface Run {
  failures: Failed[];
  /** Targets skipped as unable to serve the request, with the reason. */
  unsupported: string[];
}

/**
 * Runs the request through its targets in its route's order (see routing/order.ts): each is
 * skipped when no key of its pool can be used (`missing_key`, `keys_set_aside`), when it cannot
 * take the request (`unsupported_request`) or when its breaker is open; else tried, and retried as
 * the fallback policy says. Returns the first success; throws a ProxyError listing every attempt
 * when nothing answered (the caller renders it in its protocol).
 */
export async function runTargets(ctx: RequestContext): Promise<Served> {
  const run: Run = { failures: [], unsupported: [] };
  const route = await routeOf(ctx);
  for (const index of route.order) {
    const target = ctx.targets[index] as ResolvedTarget;
    const key = keyFor(ctx.env, target.provider, Date.now());
    const call = typeof key === 'string' ? key : prepare(ctx, run, target, key.value);
    const skipped =
      typeof call === 'string' ? call : (await ctx.breakers?.admit(target.provider.id, ctx.sink)) === false ? 'breaker_open' : undefined;
    if (skipped !== undefined || typeof call === 'string' || typeof key === 'string') {
      ctx.attempts.push({ provider: target.provider.id, model: target.model, status: null, ms: 0, retryable: false, error: skipped });
      continue;
    }
    const served = await tryTarget(ctx, run, index, call, key, route.session);
    if (served !== undefined) return served;
  }
  throw finalError(ctx.attempts, run.failures, run.unsupported, 'exhausted');
}

/** The target's call, or `unsupported_request` when the request cannot cross to it (the reason is kept). */
function prepare(ctx: RequestContext, run: Run, target: ResolvedTarget, key: string | undefined): TargetCall | 'unsupported_request' {
  try {
    return targetCall(ctx.request, target, key, ctx.outputCap);
  } catch (err) {
    if (!(err instanceof UnsupportedRequest)) throw err;
    run.unsupported.push(`${target.provider.id}: ${err.message}`);
    return 'unsupported_request';
  }
}

/**
 * Attempts one target, retrying as the policy says. A key of a pool the vendor refuses or
 * rate-limits is set aside and the request retried at once with the next key, before the target
 * counts as failed (a single bad key does not count against the provider's breaker). Returns the
 * success, undefined to move on to the next target; throws on a terminal error, the deadline or a
 * client abort.
 */
async function tryTarget(
  ctx: RequestContext,
  run: Run,
  index: number,
  first: TargetCall,
  firstKey: KeyChoice,
  session: Session | undefined,
): Promise<Served | undefined> {
  const target = ctx.targets[index] as ResolvedTarget;
  const id = target.provider.id;
  const summary = { provider: id, model: target.model };
  let call = first;
  let key = firstKey;
  // Each key of the pool is tried at most once per request before its failure counts as the target's.
  let rotations = 0;
  for (let retriesDone = 0; ; retriesDone++) {
    if (Date.now() >= ctx.deadlineAt) throw finalError(ctx.attempts, run.failures, run.unsupported, 'deadline');
    const result = await attempt(ctx, target, call, ctx.request.stream, ctx.deadlineAt);
    if (result.ok) {
      ctx.attempts.push({ ...summary, status: result.status, ms: result.ms, retryable: false, ...slotOf(key) });
      return { ...result, index, call, session };
    }
    if (result.aborted) {
      ctx.breakers?.report(id, breakerEvent({ kind: 'gone' }), ctx.sink);
      throw clientGone(ctx.attempts);
    }
    const classification = classify(result.failure);
    const error = describe(result.failure);
    const attempted = { ...summary, status: result.status, ms: result.ms, retryable: transientKind(classification), error, ...slotOf(key) };
    reportKey(ctx, target, key, result.failure, classification, error);
    const next = rotated(ctx, target, key, result.failure, classification, rotations + 1 < (key.slot?.pool ?? 0));
    if (next !== undefined) {
      rotations++;
      // Another key of the pool takes the request at once: this key's refusal is not the provider's failure.
      ctx.attempts.push(attempted);
      if (key.slot !== null) ctx.breakers?.report(id, { type: 'key', key: { ...key.slot, status: result.status } }, ctx.sink);
      const again = prepare(ctx, run, target, next.value);
      if (again === 'unsupported_request') return undefined;
      call = again;
      key = next;
      retriesDone--;
      continue;
    }
    const move = nextMove({
      classification,
      failure: result.failure,
      retriesDone,
      options: target.retry,
      remainingMs: ctx.deadlineAt - Date.now(),
      random: ctx.random(),
    });
    ctx.breakers?.report(id, breakerEvent({ kind: 'failed', failure: result.failure, ms: result.ms, key: key.slot }), ctx.sink);
    ctx.attempts.push(attempted);
    run.failures.push({ target, failure: result.failure, classification });
    if (move.action === 'terminal') throw terminalError(target, result.failure, classification, ctx.attempts);
    if (move.action === 'next' || ctx.breakers?.isOpen(id)) return undefined;
    if (!(await sleep(move.delayMs, ctx.signal))) throw clientGone(ctx.attempts);
  }
}

/** The attempt's key, named by its position in the pool (never its value), when the provider has a pool. */
function slotOf(key: KeyChoice): { key?: string } {
  return key.slot === null || key.slot.pool < 2 ? {} : { key: `#${key.slot.position} of ${key.slot.pool}` };
}

/**
 * The next key of the pool when this failure was about this key (the vendor refused it: 401/403,
 * out of quota; or rate-limited it: 429), the request `mayRotate` (it has not tried every key of
 * the pool yet) and the pool holds another usable key; the refused key is
 * set aside for the vendor's Retry-After (at least a second), else a while. Undefined otherwise
 * (one key, or none left).
 */
function rotated(
  ctx: RequestContext,
  target: ResolvedTarget,
  key: KeyChoice,
  failure: UpstreamFailure,
  c: Classification,
  mayRotate: boolean,
): KeyChoice | undefined {
  if (key.slot === null || key.slot.pool < 2 || failure.kind !== 'http') return undefined;
  const refused = keyRejection(failure, c) !== undefined;
  const limited = failure.status === 429 && c.reason === 'transient';
  if (!refused && !limited) return undefined;
  const now = Date.now();
  const asideMs = failure.retryAfterMs ?? (refused ? REFUSED_KEY_ASIDE_MS : LIMITED_KEY_ASIDE_MS);
  setKeyAside(target.provider, key.slot, now + Math.max(MIN_KEY_ASIDE_MS, asideMs));
  if (!mayRotate) return undefined;
  const next = keyFor(ctx.env, target.provider, now);
  return typeof next === 'string' ? undefined : next;
}

/** Writes the `key_rejected` event (a configuration error, level `error`) when the vendor refused the key. */
function reportKey(
  ctx: RequestContext,
  target: ResolvedTarget,
  key: KeyChoice,
  failure: UpstreamFailure,
  c: Classification,
  error: string,
): void {
  const reason = keyRejection(failure, c);
  if (reason === undefined) return;
  const status = failure.kind === 'http' ? failure.status : null;
  const keyEnv = key.slot === null ? null : (target.provider.keyEnvs[key.slot.position - 1] ?? null);
  emit({ event: 'key_rejected', provider: target.provider.id, key: key.slot, keyEnv, status, reason, error, requestId: ctx.id }, ctx.sink);
}

/** Waits `ms`; resolves false early when the client goes away. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
