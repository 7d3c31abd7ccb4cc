// The request pipeline: cache -> in-flight sharing -> targets -> stale entry -> degraded reply. Imports no Hono.

import { cacheKey, canonicalOrUncacheable } from '../cache/key.ts';
import { type CacheEntry, type CacheState, type Lookup, readEntry } from '../cache/store.ts';
import { countCalls, ProxyError } from '../errors.ts';
import type { WireEvent } from '../protocols/adapter.ts';
import { isObject, parseJson } from '../protocols/json.ts';
import type { ModelAnswer } from '../protocols/model.ts';
import { NOTHING } from '../spend/ledger.ts';
import { encodeSse } from '../stream/encode.ts';
import { relay } from '../stream/relay.ts';
import type { Answer, Source } from './answer.ts';
import { reserveFor } from './budget.ts';
import type { RequestContext } from './context.ts';
import { degradedReply } from './degraded.ts';
import { finish, type Own } from './finish.ts';
import { runTargets, type Served } from './targets.ts';

// Identical requests in flight in this isolate: followers wait for the leader's answer.
const inflight = new Map<string, Promise<CacheEntry | undefined>>();

/**
 * Answers a request: from a fresh cache entry, else from an identical request already in flight,
 * else from the targets; when every target failed, from a stale entry, else with a degraded reply,
 * else throws the targets' error. Every answer ends in `finish` (breakers, cache, spend, log).
 */
export async function answer(ctx: RequestContext): Promise<Answer> {
  const key = await cacheKeyOf(ctx);
  const { kv, controls } = ctx.cache;
  const looks = key !== undefined && kv !== undefined && controls.lookup;
  let lookup: Lookup = { state: 'miss' };
  if (looks) {
    lookup = await readEntry(kv, key, Date.now(), ctx.config.raw.cache.staleIfErrorSeconds);
    if (lookup.state === 'fresh') return ended(ctx, fromEntry(ctx, lookup.entry, 'cache', 'HIT', lookup.ageSeconds), undefined);
  }
  const missState: CacheState = looks ? 'MISS' : 'BYPASS';
  const shared = key === undefined ? undefined : inflight.get(key);
  if (shared !== undefined) {
    const entry = await shared;
    if (entry !== undefined) return ended(ctx, fromEntry(ctx, entry, 'provider', missState), undefined);
  }
  const own: Own = { key, settle: () => {} };
  if (key !== undefined) {
    const leader = new Promise<CacheEntry | undefined>((resolve) => {
      own.settle = resolve;
    }).finally(() => inflight.delete(key));
    inflight.set(key, leader);
  }
  let served: Served;
  try {
    own.held = await reserveFor(ctx);
    served = await runTargets(ctx);
    own.session = served.session;
  } catch (err) {
    own.settle(undefined);
    own.held?.reservation.finish(NOTHING);
    if (!(err instanceof ProxyError) || err.code !== 'all_targets_failed') throw err;
    const stale = await staleEntry(ctx, key, lookup);
    if (stale !== undefined && stale.state !== 'miss')
      return ended(ctx, fromEntry(ctx, stale.entry, 'stale-cache', 'STALE', stale.ageSeconds, err), undefined);
    const reply = degraded(ctx, err);
    if (reply !== undefined) return ended(ctx, reply, undefined);
    throw err;
  }
  return ended(ctx, deliver(ctx, served, missState, key !== undefined), own);
}

/** Hands the answer's end to `finish`, in the background. */
function ended(ctx: RequestContext, answer: Answer, own: Own | undefined): Answer {
  ctx.waitUntil(answer.done.then((end) => finish(ctx, answer, end, own)));
  return answer;
}

/** The cache key of the request, or undefined when the cache is off for it (no KV, `no-store`, nested too deep). */
async function cacheKeyOf(ctx: RequestContext): Promise<string | undefined> {
  if (ctx.cache.kv === undefined || !ctx.cache.controls.store) return undefined;
  const canonical = canonicalOrUncacheable(ctx.request.cacheIdentity());
  return canonical === undefined ? undefined : cacheKey(ctx.request.caller.id, ctx.client.name, ctx.config.version, canonical);
}

/** A target's success as the answer: its body at once, or its stream relayed from the commit point. */
function deliver(ctx: RequestContext, served: Served, cache: CacheState, assemble: boolean): Answer {
  const target = ctx.targets[served.index];
  const base = {
    source: 'provider' as const,
    cache,
    provider: target?.provider.id,
    targetIndex: served.index,
    attempts: ctx.attempts,
    attemptCount: countCalls(ctx.attempts),
    upstreamMs: served.ms,
    pricing: target?.pricing,
    mode: served.call.mode,
    ...(served.call.dropped === undefined || served.call.dropped.length === 0 ? {} : { dropped: served.call.dropped }),
  };
  if (served.kind === 'json') {
    const { text, facts } = served;
    const store = facts.cacheable ? text : undefined;
    return {
      ...base,
      model: facts.model ?? target?.model,
      body: { kind: 'json', text },
      done: Promise.resolve({ usage: facts.usage, store, whole: text }),
    };
  }
  const relayed = relay(ctx, served.index, served.committed, { cache: assemble, keep: ctx.keep !== undefined });
  const done = relayed.done.then((summary) => {
    // An assembled answer may be whole but not one to serve again (a Response cut by its output limit).
    const cacheable = summary.answer !== undefined && ctx.request.caller.readAnswer(summary.answer)?.cacheable === true;
    const store = cacheable ? JSON.stringify(summary.answer) : undefined;
    return { usage: summary.usage, stream: summary, store, whole: summary.whole };
  });
  return { ...base, model: served.committed.model ?? target?.model, body: { kind: 'stream', stream: relayed.body }, done };
}

/** The entry to serve when every target failed: the one already read, else a read now (`no-cache` skipped it). */
async function staleEntry(ctx: RequestContext, key: string | undefined, lookup: Lookup): Promise<Lookup | undefined> {
  const { kv, controls } = ctx.cache;
  if (key === undefined || kv === undefined || !controls.store) return undefined;
  if (lookup.state !== 'miss') return lookup;
  if (controls.lookup) return undefined;
  return readEntry(kv, key, Date.now(), ctx.config.raw.cache.staleIfErrorSeconds);
}

/** Serves a stored answer (the caller's protocol, as it was first served): as stored, or replayed as its stream. */
function fromEntry(
  ctx: RequestContext,
  entry: CacheEntry,
  source: Source,
  cache: CacheState,
  ageSeconds?: number,
  failure?: ProxyError,
): Answer {
  const { request } = ctx;
  const parsed = parseJson(entry.body);
  const usage = request.caller.readAnswer(parsed)?.usage;
  const attempts = failure?.attempts ?? [];
  const answer: Answer = {
    source,
    cache,
    provider: entry.provider,
    model: entry.model,
    attempts,
    attemptCount: countCalls(attempts),
    upstreamMs: 0,
    pricing: undefined,
    body: { kind: 'json', text: entry.body },
    done: Promise.resolve({ usage, whole: entry.body }),
  };
  if (ageSeconds !== undefined) answer.ageSeconds = ageSeconds;
  if (request.stream && isObject(parsed)) answer.body = { kind: 'stream', stream: streamOf(request.caller.replay(parsed, request)) };
  return answer;
}

/** The degraded reply (SPEC "Degraded replies"): plain text in the caller's protocol, never a tool call, never cached. */
function degraded(ctx: RequestContext, err: ProxyError): Answer | undefined {
  const settings = ctx.config.raw.degraded;
  const lastUser = ctx.request.lastUserText();
  if (!settings.enabled || lastUser === undefined) return undefined;
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const reply: ModelAnswer = {
    id: `degraded-${ctx.id}`,
    model: ctx.request.model,
    created: Math.floor(Date.now() / 1000),
    parts: [{ type: 'text', text: degradedReply(settings, lastUser) }],
    finish: 'stop',
    cacheable: false,
    usage,
  };
  const attempts = err.attempts ?? [];
  const encoded = ctx.request.encodeAnswer(reply);
  const text = JSON.stringify(encoded);
  const answer: Answer = {
    source: 'degraded',
    cache: 'BYPASS',
    attempts,
    attemptCount: countCalls(attempts),
    upstreamMs: 0,
    pricing: undefined,
    body: { kind: 'json', text },
    done: Promise.resolve({ usage, whole: text }),
  };
  // The stream is the whole reply replayed, so a kept conversation holds the very ids the caller saw.
  if (ctx.request.stream) answer.body = { kind: 'stream', stream: streamOf(ctx.request.caller.replay(encoded, ctx.request)) };
  return answer;
}

/** A finished stream of `events`, for cached answers and degraded replies. */
function streamOf(events: readonly WireEvent[]): ReadableStream<Uint8Array> {
  const bytes = encodeSse(events);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
