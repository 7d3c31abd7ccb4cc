// Asks later `prefill` targets to continue a stream that broke after its commit point (SPEC "Stream rescue").
import type { BreakerGate } from './breaker/client.ts';
import type { ResolvedTarget } from './config/load.ts';
import { providerKey } from './config/load.ts';
import type { AttemptSummary } from './errors.ts';
import { classify, type UpstreamFailure } from './fallback.ts';
import { UnsupportedRequest } from './protocols/chat-to-anthropic.ts';
import type { Rescuer } from './stream-rescue.ts';
import type { TargetRequest } from './target-request.ts';
import { attempt } from './upstream.ts';

/** What a rescue needs from the request's run. */
export interface RescueContext {
  targets: readonly ResolvedTarget[];
  /** The request for a target continuing `text`; throws UnsupportedRequest when it cannot. */
  continueWith: (target: ResolvedTarget, text: string) => TargetRequest;
  breakers: BreakerGate | undefined;
  env: object;
  fetch: typeof fetch;
  clientSignal: AbortSignal | undefined;
  requestId: string;
  clientWantsUsage: boolean;
  secrets: readonly string[];
  /** The run's attempt list: continuation attempts are added to it (the log shows them). */
  attempts: AttemptSummary[];
}

/**
 * The rescuer for a stream from target `index`, or undefined when no later target is marked
 * `prefill`, or the failing target's `retry.streamRecovery` is `error`. Each candidate is asked
 * once, in chain order, skipping open breakers and missing keys; its failures count against its
 * breaker. Errors the policy calls terminal (a content-policy stop) are never continued elsewhere.
 */
export function rescuerFor(ctx: RescueContext, index: number): Rescuer | undefined {
  const from = ctx.targets[index];
  if (from === undefined || from.retry.streamRecovery !== 'continue') return undefined;
  const candidates = ctx.targets.flatMap((target, i) => (i > index && target.prefill ? [{ target, i }] : []));
  if (candidates.length === 0) return undefined;
  return async (text: string, failure: UpstreamFailure) => {
    if (classify(failure).verdict === 'terminal') return undefined;
    for (const { target, i } of candidates) {
      const id = target.provider.id;
      const key = providerKey(ctx.env, target.provider);
      if (target.provider.apiKeyEnv !== undefined && key === undefined) continue;
      let request: TargetRequest;
      try {
        request = ctx.continueWith(target, text);
      } catch (err) {
        if (err instanceof UnsupportedRequest) continue;
        throw err;
      }
      if ((await ctx.breakers?.admit(id)) === false) continue;
      const result = await attempt({
        target,
        key,
        request,
        stream: true,
        clientWantsUsage: ctx.clientWantsUsage,
        requestId: ctx.requestId,
        fetch: ctx.fetch,
        clientSignal: ctx.clientSignal,
        deadlineAt: Date.now() + target.retry.attemptTimeoutMs,
        secrets: ctx.secrets,
      });
      const summary = { provider: id, model: target.model, status: result.ok ? result.status : result.status, ms: result.ms };
      if (result.ok && result.kind === 'stream') {
        ctx.attempts.push({ ...summary, retryable: false, error: 'continuation' });
        return {
          committed: result.committed,
          provider: id,
          model: result.committed.firstChunk.model ?? target.model,
          idleTimeoutMs: target.retry.idleTimeoutMs,
          attemptTimeoutMs: target.retry.attemptTimeoutMs,
          trimmed: request.trimmed === true,
          rescue: rescuerFor(ctx, i),
        };
      }
      if (!result.ok && result.aborted) return undefined;
      const failed = result.ok ? undefined : classify(result.failure);
      ctx.breakers?.report(
        id,
        failed?.breakerFailure === true ? { type: 'failure', ms: result.ms, kind: 'continuation' } : { type: 'neutral' },
      );
      ctx.attempts.push({ ...summary, retryable: false, error: 'continuation_failed' });
    }
    return undefined;
  };
}
