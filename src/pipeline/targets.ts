// The attempt loop: targets in order, skips, retries with backoff, the next target, the final error.
import { providerKey, type ResolvedTarget } from '../config/load.ts';
import type { TargetCall } from '../protocols/adapter.ts';
import { UnsupportedRequest } from '../protocols/model.ts';
import { targetCall } from '../protocols/registry.ts';
import { type AttemptResult, attempt } from '../upstream/attempt.ts';
import type { RequestContext } from './context.ts';
import { classify, nextMove } from './fallback.ts';
import { clientGone, describe, type Failed, finalError, terminalError } from './final-error.ts';
import { breakerEvent } from './outcome.ts';

/** A target's successful attempt: a whole answer, or a stream past its commit point. */
export type Served = { index: number; call: TargetCall } & Extract<AttemptResult, { ok: true }>;

/** Why targets were passed over and what failed, for the final error. */
interface Run {
  failures: Failed[];
  /** Targets skipped as unable to serve the request, with the reason. */
  unsupported: string[];
}

/**
 * Runs the request through its targets: each is skipped when its key is missing, when it cannot
 * take the request (`unsupported_request`) or when its breaker is open; else tried, and retried as
 * the fallback policy says. Returns the first success; throws a ProxyError listing every attempt
 * when nothing answered (the caller renders it in its protocol).
 */
export async function runTargets(ctx: RequestContext): Promise<Served> {
  const run: Run = { failures: [], unsupported: [] };
  for (const [index, target] of ctx.targets.entries()) {
    const key = providerKey(ctx.env, target.provider);
    const call = target.provider.apiKeyEnv !== undefined && key === undefined ? 'missing_key' : prepare(ctx, run, target, key);
    const skipped =
      typeof call === 'string'
        ? call
        : (await ctx.breakers?.admit(target.provider.id, ctx.waitUntil)) === false
          ? 'breaker_open'
          : undefined;
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
    return targetCall(ctx.request, target, key);
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
      ctx.breakers?.report(id, breakerEvent({ kind: 'gone' }), ctx.waitUntil);
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
    ctx.breakers?.report(id, breakerEvent({ kind: 'failed', failure: result.failure, ms: result.ms }), ctx.waitUntil);
    ctx.attempts.push({
      ...summary,
      status: result.status,
      ms: result.ms,
      retryable: move.action === 'retry',
      error: describe(result.failure),
    });
    run.failures.push({ target, failure: result.failure, classification });
    if (move.action === 'terminal') throw terminalError(target, result.failure, classification, ctx.attempts);
    if (move.action === 'next' || ctx.breakers?.isOpen(id)) return undefined;
    if (!(await sleep(move.delayMs, ctx.signal))) throw clientGone(ctx.attempts);
  }
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
