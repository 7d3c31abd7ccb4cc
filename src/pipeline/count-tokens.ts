// Token counting: asked of the alias's first available target that speaks Anthropic, else the proxy's estimate. Imports no Hono.
import type { Client } from '../auth/client.ts';
import { isolateOf } from '../config/isolate.ts';
import type { RuntimeConfig } from '../config/load.ts';
import type { AttemptSummary } from '../errors.ts';
import { alertTarget } from '../observability/alerts.ts';
import { scrub } from '../observability/scrub.ts';
import { type CountTokensCall, countTokensCall, estimateInputTokens, readCount } from '../protocols/anthropic/count-tokens.ts';
import { readErrorInfo } from '../protocols/error-info.ts';
import { parseJson } from '../protocols/json.ts';
import { speaks } from '../protocols/registry.ts';
import { keyFor } from '../routing/keys.ts';
import { AttemptClock } from '../upstream/clock.ts';
import { targetsOf } from './admit.ts';
import { classify, parseRetryAfter, type UpstreamFailure } from './fallback.ts';
import { describe, transientKind } from './final-error.ts';

/** A token count: the vendor's answer as it sent it, or the estimate. */
export interface Count {
  /** The JSON body for the caller. */
  text: string;
  estimated: boolean;
  provider?: string;
  attempts: AttemptSummary[];
}

export interface CountInput {
  id: string;
  config: RuntimeConfig;
  client: Client;
  call: CountTokensCall;
  env: object;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Asks the first target of the alias that speaks Anthropic, has its key and whose breaker admits
 * traffic (the vendor key never reaches the caller); any failure of that one call, or no such
 * target, gives the estimate (`estimated`). Counting is not a model call: it is not retried, not
 * cached and not reported to the breaker.
 */
export async function countTokens(input: CountInput): Promise<Count> {
  const targets = targetsOf(input.config, input.client, input.call.model);
  const { breakers, secrets } = isolateOf(input.config, input.env);
  const attempts: AttemptSummary[] = [];
  for (const target of targets) {
    if (!speaks(target, 'anthropic-messages')) continue;
    const pick = keyFor(input.env, target.provider, Date.now());
    if (typeof pick === 'string') continue;
    const key = pick.value;
    if (
      (await breakers?.admit(target.provider.id, {
        waitUntil: input.waitUntil,
        alert: alertTarget(input.config.raw.alerts.webhookEnv, input.env),
      })) === false
    )
      continue;
    const call = countTokensCall(input.call, target, key);
    const startedAt = Date.now();
    const clock = new AttemptClock(input.signal);
    clock.setHard('attempt', Math.min(target.retry.attemptTimeoutMs, target.retry.firstTokenTimeoutMs));
    const summary = { provider: target.provider.id, model: target.model };
    let status: number | null = null;
    let failure: UpstreamFailure;
    try {
      const response = await input.fetch(call.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-request-id': input.id, ...call.headers },
        body: JSON.stringify(call.body),
        signal: clock.signal,
      });
      status = response.status;
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok && readCount(parsed) !== undefined) {
        attempts.push({ ...summary, status, ms: Date.now() - startedAt, retryable: false });
        return { text, estimated: false, provider: target.provider.id, attempts };
      }
      const info = readErrorInfo(parsed ?? text);
      failure = response.ok
        ? { kind: 'bad_response', message: 'answer is not a token count' }
        : {
            kind: 'http',
            status,
            ...info,
            message: scrub(info.message, secrets),
            retryAfterMs: parseRetryAfter(response.headers, Date.now()),
          };
    } catch (err) {
      const timed = clock.timedOut;
      failure =
        timed === undefined
          ? { kind: 'network', message: scrub(err instanceof Error ? err.message : String(err), secrets) }
          : { kind: 'timeout', phase: timed };
    } finally {
      clock.stop();
    }
    const error = describe(failure);
    attempts.push({ ...summary, status, ms: Date.now() - startedAt, retryable: transientKind(classify(failure)), error });
    break;
  }
  return { text: JSON.stringify({ input_tokens: estimateInputTokens(input.call.parsed) }), estimated: true, attempts };
}
