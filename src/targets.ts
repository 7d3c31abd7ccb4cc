// Targets in order, attempts with retries, the final error: everything between the cache and the vendors.

import type { BreakerGate } from './breaker/client.ts';
import type { ResolvedTarget } from './config/load.ts';
import { providerKey } from './config/load.ts';
import { rescuerFor } from './continuation.ts';
import { type AttemptSummary, countCalls } from './errors.ts';
import { classify, nextMove, type UpstreamFailure } from './fallback.ts';
import { UnsupportedRequest } from './protocols/chat-to-anthropic.ts';
import type { Usage } from './protocols/openai.ts';
import { relayStream, type StreamSummary } from './stream-relay.ts';
import type { Rescuer } from './stream-rescue.ts';
import { clientGone, describe, type Failed, finalError, terminalError } from './target-errors.ts';
import type { TargetRequest } from './target-request.ts';
import { type AttemptResult, attempt } from './upstream.ts';

/** One validated request for the fallback list, with everything the loop needs injected. */
export interface TargetsJob {
  targets: readonly ResolvedTarget[];
  /**
   * The request for one target in its protocol. Throws UnsupportedRequest when the target cannot
   * serve it as asked (an embeddings call to an Anthropic target, n > 1 for Claude ...): skipped.
   */
  prepare: (target: ResolvedTarget) => TargetRequest;
  /** The request asking a target to continue `text` (stream rescue); absent where rescue does not apply. */
  continueWith?: (target: ResolvedTarget, text: string) => TargetRequest;
  stream: boolean;
  /** The caller asked for the usage chunk of a stream. */
  clientWantsUsage: boolean;
  /** Choices the caller asked for (`n`). */
  choices: number;
  /** Assemble a streamed answer so it can be cached. */
  assemble: boolean;
  /** The circuit breakers; absent when the Worker has no BREAKER binding. */
  breakers?: BreakerGate;
  requestId: string;
  /** Worker env: provider keys are read from it by name. */
  env: object;
  fetch: typeof fetch;
  clientSignal: AbortSignal | undefined;
  /** Request deadline, taken from the first target's retry options. */
  deadlineMs: number;
  random?: () => number;
}

/** Who answered and how; becomes the x-proxy-* headers and the log line. */
export interface ChatMeta {
  attempts: AttemptSummary[];
  /** Upstream calls actually made (skipped targets are not attempts). */
  attemptCount: number;
  /** Absent when no provider answered (degraded replies). */
  provider?: string;
  model?: string;
  upstreamMs: number;
  pricing: ResolvedTarget['pricing'];
}

/** A provider's answer: a whole JSON body, or a stream past its commit point. */
export type UpstreamOutcome =
  | { kind: 'json'; text: string; usage: Usage | undefined; meta: ChatMeta; cacheable?: boolean }
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; done: Promise<StreamSummary>; meta: ChatMeta };

/** State of one request across its targets and attempts. */
interface Run {
  job: TargetsJob;
  deadlineAt: number;
  random: () => number;
  attempts: AttemptSummary[];
  failures: Failed[];
  secrets: string[];
  /** Why targets were skipped as unable to serve the request, for the final error. */
  unsupported: string[];
}

/**
 * Runs a request through its targets. Returns the first success; throws a ProxyError with
 * every attempt listed when nothing answered (the caller renders it in its protocol).
 */
export async function runTargets(job: TargetsJob): Promise<UpstreamOutcome> {
  const run: Run = {
    job,
    deadlineAt: Date.now() + job.deadlineMs,
    random: job.random ?? Math.random,
    attempts: [],
    failures: [],
    secrets: knownSecrets(job),
    unsupported: [],
  };
  for (const [index, target] of job.targets.entries()) {
    const key = providerKey(job.env, target.provider);
    const request = target.provider.apiKeyEnv !== undefined && key === undefined ? 'missing_key' : prepare(run, target);
    const skipped =
      typeof request === 'string' ? request : (await job.breakers?.admit(target.provider.id)) === false ? 'breaker_open' : undefined;
    if (skipped !== undefined || typeof request === 'string') {
      run.attempts.push({ provider: target.provider.id, model: target.model, status: null, ms: 0, retryable: false, error: skipped });
      continue;
    }
    const outcome = await tryTarget(run, index, key, request);
    if (outcome !== undefined) return outcome;
  }
  throw finalError(run.attempts, run.failures, run.unsupported, 'exhausted');
}

/** The target's request, or `unsupported_request` when it cannot serve this one (the reason is kept). */
function prepare(run: Run, target: ResolvedTarget): TargetRequest | 'unsupported_request' {
  try {
    return run.job.prepare(target);
  } catch (err) {
    if (!(err instanceof UnsupportedRequest)) throw err;
    run.unsupported.push(`${target.provider.id}: ${err.message}`);
    return 'unsupported_request';
  }
}

/**
 * Attempts one target, retrying as the policy says. Returns the outcome on success, undefined to
 * move on to the next target; throws on a terminal error, the deadline or a client abort.
 */
async function tryTarget(run: Run, index: number, key: string | undefined, request: TargetRequest): Promise<UpstreamOutcome | undefined> {
  const { job } = run;
  const target = job.targets[index] as ResolvedTarget;
  const summary = { provider: target.provider.id, model: target.model };
  for (let retriesDone = 0; ; retriesDone++) {
    if (Date.now() >= run.deadlineAt) throw finalError(run.attempts, run.failures, run.unsupported, 'deadline');
    const result = await attempt({
      target,
      key,
      request,
      stream: job.stream,
      clientWantsUsage: job.clientWantsUsage,
      requestId: job.requestId,
      fetch: job.fetch,
      clientSignal: job.clientSignal,
      deadlineAt: run.deadlineAt,
      secrets: run.secrets,
    });
    if (result.ok) {
      run.attempts.push({ ...summary, status: result.status, ms: result.ms, retryable: false });
      return succeed(run, index, result);
    }
    if (result.aborted) {
      job.breakers?.report(target.provider.id, { type: 'neutral' });
      throw clientGone(run.attempts);
    }
    const classification = classify(result.failure);
    const move = nextMove({
      classification,
      failure: result.failure,
      retriesDone,
      options: target.retry,
      remainingMs: run.deadlineAt - Date.now(),
      random: run.random(),
    });
    const error = describe(result.failure);
    job.breakers?.report(
      target.provider.id,
      classification.breakerFailure
        ? { type: 'failure', ms: result.ms, kind: error, ...retryAfterOf(result.failure) }
        : { type: 'neutral' },
    );
    run.attempts.push({ ...summary, status: result.status, ms: result.ms, retryable: move.action === 'retry', error });
    run.failures.push({ target, failure: result.failure, classification });
    if (move.action === 'terminal') throw terminalError(target, result.failure, classification, run.attempts);
    if (move.action === 'next' || job.breakers?.isOpen(target.provider.id)) return undefined;
    if (!(await sleep(move.delayMs, job.clientSignal))) throw clientGone(run.attempts);
  }
}

/** Builds the outcome of a successful attempt; a stream starts relaying from its commit point. */
function succeed(run: Run, index: number, result: Extract<AttemptResult, { ok: true }>): UpstreamOutcome {
  const target = run.job.targets[index] as ResolvedTarget;
  const meta: ChatMeta = {
    attempts: run.attempts,
    attemptCount: countCalls(run.attempts),
    provider: target.provider.id,
    model: target.model,
    upstreamMs: result.ms,
    pricing: target.pricing,
  };
  const breakers = run.job.breakers;
  const id = target.provider.id;
  if (result.kind === 'json') {
    breakers?.report(id, { type: 'success', ms: result.ms });
    meta.model = result.info.model ?? meta.model;
    return { kind: 'json', text: result.text, usage: result.info.usage, meta, cacheable: result.info.cacheable !== false };
  }
  meta.model = result.committed.firstChunk.model ?? meta.model;
  const relay = relayStream(result.committed, {
    choices: run.job.choices,
    clientWantsUsage: run.job.clientWantsUsage,
    assemble: run.job.assemble,
    idleTimeoutMs: target.retry.idleTimeoutMs,
    attemptEnd: result.committed.startedAt + target.retry.attemptTimeoutMs,
    secrets: run.secrets,
    provider: id,
    rescue: rescuerOf(run, index),
  });
  // A stream's outcome is known at its end: cut or stalled after the commit point is a failure,
  // for the provider that broke it even when a later one continued the answer.
  const done = relay.done.then((summary) => {
    for (const rescue of summary.rescues)
      breakers?.report(rescue.from, { type: 'failure', ms: summary.ms, kind: `stream:${rescue.error}` });
    const last = summary.rescues.at(-1)?.to ?? id;
    if (summary.outcome === 'complete') breakers?.report(last, { type: 'success', ms: summary.ms });
    else if (summary.outcome === 'error') breakers?.report(last, { type: 'failure', ms: summary.ms, kind: `stream:${summary.error}` });
    else breakers?.report(last, { type: 'neutral' });
    return summary;
  });
  return { kind: 'stream', body: relay.body, done, meta };
}

/** The rescuer of a stream from target `index`, when the job can continue streams. */
function rescuerOf(run: Run, index: number): Rescuer | undefined {
  const { job } = run;
  if (job.continueWith === undefined) return undefined;
  return rescuerFor(
    {
      targets: job.targets,
      continueWith: job.continueWith,
      breakers: job.breakers,
      env: job.env,
      fetch: job.fetch,
      clientSignal: job.clientSignal,
      requestId: job.requestId,
      clientWantsUsage: job.clientWantsUsage,
      secrets: run.secrets,
      attempts: run.attempts,
    },
    index,
  );
}

/** The Retry-After a failure carried, for the breaker (a 429 with a long one keeps it open). */
function retryAfterOf(failure: UpstreamFailure): { retryAfterMs?: number } {
  return failure.kind === 'http' && failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {};
}

function knownSecrets(job: TargetsJob): string[] {
  const env = job.env as Record<string, unknown>;
  const names = new Set(job.targets.flatMap((t) => (t.provider.apiKeyEnv ? [t.provider.apiKeyEnv] : [])));
  return [...names].flatMap((name) => (typeof env[name] === 'string' ? [env[name] as string] : []));
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
