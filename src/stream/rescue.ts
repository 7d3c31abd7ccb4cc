// Stream rescue (SPEC "Stream rescue"): which later targets may continue a broken stream, and asking them in turn.
import type { ResolvedTarget } from '../config/load.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { classify, type UpstreamFailure } from '../pipeline/fallback.ts';
import { describe, transientKind } from '../pipeline/final-error.ts';
import { breakerEvent } from '../pipeline/outcome.ts';
import type { TargetCall } from '../protocols/adapter.ts';
import { UnsupportedRequest } from '../protocols/model.ts';
import { continuationCall } from '../protocols/registry.ts';
import { keyFor } from '../routing/keys.ts';
import { attempt, type CommittedStream } from '../upstream/attempt.ts';

/** A later target that took over a broken stream: its stream past its own first token. */
export interface Rescued {
  committed: CommittedStream;
  /** Its position in the target list (it may be rescued in turn by the ones after it). */
  index: number;
  provider: string;
  model: string;
  /** Trailing whitespace was cut from the prefix (Anthropic refuses it), so the seam drops leading whitespace. */
  trimmed: boolean;
}

/** One rescue, for the log line and the breakers. */
export interface RescueRecord {
  /** Provider whose stream broke, and how. */
  from: string;
  error: string;
  /** Provider and model that continued it. */
  to: string;
  model: string;
}

/**
 * Positions of the targets that may continue a stream from target `index`: the later ones marked
 * `prefill`, in chain order; none when the failing target's `retry.streamRecovery` is `error`. Pure.
 */
export function rescuersOf(targets: readonly ResolvedTarget[], index: number): number[] {
  const from = targets[index];
  if (from === undefined || from.retry.streamRecovery !== 'continue') return [];
  return targets.flatMap((target, i) => (i > index && target.prefill ? [i] : []));
}

/**
 * Asks the targets that may continue a stream from target `from`, in order, to continue `text`
 * (exactly what the caller already has), each once, skipping missing keys, requests they cannot
 * take and open breakers; their failures count against their breakers. Undefined when none took
 * over, or when the failure is one the policy calls terminal (a content-policy stop is never
 * continued elsewhere): the caller then gets the original failure in-band.
 */
export async function askRescuers(ctx: RequestContext, from: number, text: string, failure: UpstreamFailure): Promise<Rescued | undefined> {
  if (classify(failure).verdict === 'terminal') return undefined;
  for (const index of rescuersOf(ctx.targets, from)) {
    const target = ctx.targets[index] as ResolvedTarget;
    const id = target.provider.id;
    const pick = keyFor(ctx.env, target.provider, Date.now());
    if (typeof pick === 'string') continue;
    const key = pick.value;
    let call: TargetCall & { trimmed: boolean };
    try {
      call = continuationCall(ctx.request, target, key, ctx.outputCap, text);
    } catch (err) {
      if (err instanceof UnsupportedRequest) continue;
      throw err;
    }
    if ((await ctx.breakers?.admit(id, ctx.sink)) === false) continue;
    const result = await attempt(ctx, target, call, true, Date.now() + target.retry.attemptTimeoutMs);
    const summary = { provider: id, model: target.model, status: result.status, ms: result.ms };
    if (result.ok && result.kind === 'stream') {
      ctx.attempts.push({ ...summary, retryable: false, error: 'continuation' });
      const model = result.committed.model ?? target.model;
      return { committed: result.committed, index, provider: id, model, trimmed: call.trimmed };
    }
    if (!result.ok && result.aborted) return undefined;
    ctx.breakers?.report(
      id,
      result.ok ? { type: 'neutral' } : breakerEvent({ kind: 'failed', failure: result.failure, ms: result.ms }),
      ctx.sink,
    );
    const cause = result.ok ? 'not_a_stream' : describe(result.failure);
    const retryable = !result.ok && transientKind(classify(result.failure));
    ctx.attempts.push({ ...summary, retryable, error: `continuation_failed:${cause}` });
  }
  return undefined;
}
