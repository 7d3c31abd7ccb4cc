// The request pipeline: cache -> shared in-flight call -> targets -> stale entry -> degraded reply. No Hono.
import { type CacheControls, type CacheEntry, type CacheState, type Lookup, readEntry, writeEntry } from './cache.ts';
import { countCalls, ProxyError } from './errors.ts';
import type { Source } from './headers.ts';
import { encodeEvents, isObject, parseJson, readUsage } from './protocols/openai.ts';
import { completionToChunks } from './protocols/openai-replay.ts';
import type { StreamSummary } from './stream-relay.ts';
import type { ChatMeta, UpstreamOutcome } from './targets.ts';

/** What the cache layer needs for one request; `key` is undefined when the cache is off for it. */
export interface CacheJob {
  kv: KVNamespace | undefined;
  key: string | undefined;
  controls: CacheControls;
  staleIfErrorSeconds: number;
  /** The caller wants a stream (a cached answer is then replayed as one). */
  stream: boolean;
  clientWantsUsage: boolean;
  /** Keeps background work (cache writes) alive after the response. */
  waitUntil: (promise: Promise<unknown>) => void;
}

/** An answer with where it came from: the x-proxy-source and x-proxy-cache headers. */
export interface Answer {
  outcome: UpstreamOutcome;
  source: Source;
  cache: CacheState;
  ageSeconds?: number;
}

/** A reply made by the proxy itself when nothing else is left (degraded replies); undefined when off. */
export type LastResort = (error: ProxyError) => Answer | undefined;

// Identical requests in flight in this isolate: followers wait for the leader's answer.
const inflight = new Map<string, Promise<CacheEntry | undefined>>();

/**
 * Answers from a fresh cache entry, else from an identical request already in flight, else from
 * the targets (`run`); stores a complete answer; when every target failed, answers from a stale
 * entry, else from `lastResort`, else throws the targets' error.
 */
export async function answer(job: CacheJob, run: () => Promise<UpstreamOutcome>, lastResort: LastResort): Promise<Answer> {
  const { key, kv, controls } = job;
  let lookup: Lookup = { state: 'miss' };
  if (key !== undefined && kv !== undefined && controls.lookup) {
    lookup = await readEntry(kv, key, Date.now(), job.staleIfErrorSeconds);
    if (lookup.state === 'fresh') return fromEntry(job, lookup.entry, 'cache', 'HIT', lookup.ageSeconds);
  }
  const missState: CacheState = key !== undefined && kv !== undefined && controls.lookup ? 'MISS' : 'BYPASS';
  const shared = key === undefined ? undefined : inflight.get(key);
  if (shared !== undefined) {
    const entry = await shared;
    if (entry !== undefined) return fromEntry(job, entry, 'provider', missState);
  }
  let settle: (entry: CacheEntry | undefined) => void = () => {};
  if (key !== undefined) {
    const leader = new Promise<CacheEntry | undefined>((resolve) => {
      settle = resolve;
    }).finally(() => inflight.delete(key));
    inflight.set(key, leader);
  }
  try {
    const outcome = await run();
    keep(job, outcome, settle);
    return { outcome, source: 'provider', cache: missState };
  } catch (err) {
    settle(undefined);
    if (!(err instanceof ProxyError) || err.code !== 'all_targets_failed') throw err;
    const stale = await staleEntry(job, lookup);
    if (stale !== undefined && stale.state !== 'miss') {
      return fromEntry(job, stale.entry, 'stale-cache', 'STALE', stale.ageSeconds, err);
    }
    const reply = lastResort(err);
    if (reply !== undefined) return reply;
    throw err;
  }
}

/** Shares a complete answer with waiting followers and stores it (in the background). */
function keep(job: CacheJob, outcome: UpstreamOutcome, settle: (entry: CacheEntry | undefined) => void): void {
  const meta = outcome.meta;
  const toEntry = (body: string): CacheEntry => ({
    v: 1,
    storedAt: Date.now(),
    ttl: job.controls.ttlSeconds,
    body,
    provider: meta.provider ?? '',
    model: meta.model ?? '',
  });
  const store = (entry: CacheEntry | undefined): void => {
    settle(entry);
    if (entry !== undefined && job.key !== undefined && job.kv !== undefined && job.controls.store) {
      job.waitUntil(writeEntry(job.kv, job.key, entry, job.staleIfErrorSeconds));
    }
  };
  if (outcome.kind === 'json') {
    store(outcome.cacheable === false ? undefined : toEntry(outcome.text));
    return;
  }
  job.waitUntil(
    outcome.done.then((summary) => store(summary.completion === undefined ? undefined : toEntry(JSON.stringify(summary.completion)))),
  );
}

/** The entry to serve when every target failed: the one already read, else a read now (no-cache skipped it). */
async function staleEntry(job: CacheJob, lookup: Lookup): Promise<Lookup | undefined> {
  if (job.key === undefined || job.kv === undefined || !job.controls.store) return undefined;
  if (lookup.state !== 'miss') return lookup;
  if (job.controls.lookup) return undefined;
  return readEntry(job.kv, job.key, Date.now(), job.staleIfErrorSeconds);
}

/** Serves a stored answer: as stored, or replayed as a stream. */
function fromEntry(job: CacheJob, entry: CacheEntry, source: Source, cache: CacheState, ageSeconds?: number, failure?: ProxyError): Answer {
  const parsed = parseJson(entry.body);
  const usage = isObject(parsed) ? readUsage(parsed.usage) : undefined;
  const meta: ChatMeta = {
    attempts: failure?.attempts ?? [],
    attemptCount: 0,
    provider: entry.provider,
    model: entry.model,
    upstreamMs: 0,
    pricing: undefined,
  };
  if (failure?.attempts !== undefined) meta.attemptCount = countCalls(failure.attempts);
  const answer: Answer = { outcome: { kind: 'json', text: entry.body, usage, meta }, source, cache };
  if (ageSeconds !== undefined) answer.ageSeconds = ageSeconds;
  if (job.stream && isObject(parsed)) answer.outcome = replay(completionToChunks(parsed, job.clientWantsUsage), usage, meta);
  return answer;
}

/** A finished stream made of `datas`, for cached answers and degraded replies. */
export function replay(datas: string[], usage: StreamSummary['usage'], meta: ChatMeta): UpstreamOutcome {
  const bytes = encodeEvents(datas);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const summary: StreamSummary = { outcome: 'complete', usage, model: meta.model, malformed: 0, toolCall: false, ms: 0, rescues: [] };
  return { kind: 'stream', body, done: Promise.resolve(summary), meta };
}
