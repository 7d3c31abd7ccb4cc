// The attempt loop: targets in order, skips, retries with backoff, the next target, the final error.
import { providerKey, type ResolvedTarget } from '../config/load.ts';
import { type EventSink, emit, type KeySlot } from '../observability/events.ts';
import type { TargetCall } from '../protocols/adapter.ts';
import { UnsupportedRequest } from '../protocols/model.ts';
import { targetCall } from '../protocols/registry.ts';
import { type AttemptResult, attempt } from '../upstream/attempt.ts';
import type { RequestContext } from './context.ts';
import { type Classification, classify, nextMove, type UpstreamFailure } from './fallback.ts';
import { clientGone, describe, type Failed, finalError, terminalError, transientKind } from './final-error.ts';
import { breakerEvent, keyRejection } from './outcome.ts';

/** A target's successful attempt: a whole answer, or a stream past its commit point. */
export type Served = { index: number; call: TargetCall } & Extract<AttemptResult, { ok: true }>;

/** Why targets were passed over and what failed, for the final error. */
interface Run {
  failures: Failed[];
  /** Targets skipped as unable to serve the request, with the reason. */
  unsupported: string[];
  /** Where breaker transitions and key rejections are reported. */
  sink: EventSink;
}

/**
 * Runs the request through its targets: each is skipped when its key is missing, when it cannot
 * take the request (`unsupported_request`) or when its breaker is open; else tried, and retried as
 * the fallback policy says. Returns the first success; throws a ProxyError listing every attempt
 * when nothing answered (the caller renders it in its protocol).
 */
export async function runTargets(ctx: RequestContext): Promise<Served> {
  const run: Run = { failures: [], unsupported: [], sink: ctx.sink };
  for (const [index, target] of ctx.targets.entries()) {
    const key = providerKey(ctx.env, target.provider);
    const call = target.provider.apiKeyEnv !== undefined && key === undefined ? 'missing_key' : prepare(ctx, run, target, key);
    const skipped =
      typeof call === 'string' ? call : (await ctx.breakers?.admit(target.provider.id, run.sink)) === false ? 'breaker_open' : undefined;
    if (skipped !== undefined || typeof call === 'string') {
      ctx.attempts.push({ provider: target.provider.id, model: target.model, status: null, ms: 0, retryable: false, error: skipped });
      continue;
    }
    const served = await tryTarget(ctx, run, index, call);
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
 * Attempts one target, retrying as the policy says. Returns the success, undefined to move on to
 * the next target; throws on a terminal error, the deadline or a client abort.
 */
async function tryTarget(ctx: RequestContext, run: Run, index: number, call: TargetCall): Promise<Served | undefined> {
  const target = ctx.targets[index] as ResolvedTarget;
  const id = target.provider.id;
  const summary = { provider: id, model: target.model };
  for (let retriesDone = 0; ; retriesDone++) {
    if (Date.now() >= ctx.deadlineAt) throw finalError(ctx.attempts, run.failures, run.unsupported, 'deadline');
    const result = await attempt(ctx, target, call, ctx.request.stream, ctx.deadlineAt);
    if (result.ok) {
      ctx.attempts.push({ ...summary, status: result.status, ms: result.ms, retryable: false });
      return { ...result, index, call };
    }
    if (result.aborted) {
      ctx.breakers?.report(id, breakerEvent({ kind: 'gone' }), run.sink);
      throw clientGone(ctx.attempts);
    }
    const classification = classify(result.failure);
    const move = nextMove({
      classification,
      failure: result.failure,
      retriesDone,
      options: target.retry,
      remainingMs: ctx.deadlineAt - Date.now(),
      random: ctx.random(),
    });
    const key = keySlot(target);
    ctx.breakers?.report(id, breakerEvent({ kind: 'failed', failure: result.failure, ms: result.ms, key }), run.sink);
    const error = describe(result.failure);
    ctx.attempts.push({ ...summary, status: result.status, ms: result.ms, retryable: transientKind(classification), error });
    reportKey(ctx, run.sink, target, key, result.failure, classification, error);
    run.failures.push({ target, failure: result.failure, classification });
    if (move.action === 'terminal') throw terminalError(target, result.failure, classification, ctx.attempts);
    if (move.action === 'next' || ctx.breakers?.isOpen(id)) return undefined;
    if (!(await sleep(move.delayMs, ctx.signal))) throw clientGone(ctx.attempts);
  }
}

/** The slot of the key a target is called with: today each provider has one key (`#1 of 1`), or none. */
function keySlot(target: ResolvedTarget): KeySlot | null {
  return target.provider.apiKeyEnv === undefined ? null : { position: 1, pool: 1 };
}

/** Writes the `key_rejected` event (a configuration error, level `error`) when the vendor refused the key. */
function reportKey(
  ctx: RequestContext,
  sink: EventSink,
  target: ResolvedTarget,
  key: KeySlot | null,
  failure: UpstreamFailure,
  classification: Classification,
  error: string,
): void {
  const reason = keyRejection(failure, classification);
  if (reason === undefined) return;
  const status = failure.kind === 'http' ? failure.status : null;
  const keyEnv = target.provider.apiKeyEnv ?? null;
  emit({ event: 'key_rejected', provider: target.provider.id, key, keyEnv, status, reason, error, requestId: ctx.id }, sink);
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
