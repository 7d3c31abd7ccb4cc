// Bounded closed-loop load generator: N keep-alive connections, each sending its next request when the last ends.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One request shape, sent over and over. */
export interface RequestSpec {
  /** Origin of the server, e.g. `http://127.0.0.1:8787`. */
  origin: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the answer is an SSE stream (`stream: true`): then time to first token is measured too. */
  stream: boolean;
  /** Response headers (lower-case names) every answer must carry with exactly these values; else it is an error. */
  expect?: Record<string, string>;
}

/** Bounds of one phase: it stops at whichever comes first. */
export interface PhaseLimits {
  maxRequests: number;
  maxMs: number;
}

/** What one phase measured. Latencies are of successful requests only, in milliseconds. */
export interface PhaseResult {
  /** Requests completed, successful or not. */
  requests: number;
  ok: number;
  /** Non-200 answers, wrong `expect` headers, transport errors, bodies that are not a chat answer, streams without `[DONE]`. */
  errors: number;
  /** A few distinct error descriptions, for the report. */
  errorSamples: string[];
  /** From the first request sent to the last one completed. */
  elapsedMs: number;
  /** Whole request: send to last byte of the body. */
  latency: Float64Array;
  /** Streams only: send until the first SSE event with non-empty `delta.content` arrived. */
  ttft: Float64Array;
}

/** A pool of `connections` keep-alive HTTP/1.1 connections to `origin`, one request at a time each. */
export function openPool(origin: string, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

/**
 * Runs `concurrency` closed loops on `pool` until `limits` is reached: each loop sends one
 * request, reads the whole answer, then sends the next. Never throws for a failed request; it is
 * counted in `errors`.
 */
export async function runPhase(pool: Pool, spec: RequestSpec, concurrency: number, limits: PhaseLimits): Promise<PhaseResult> {
  const latency = new Float64Array(limits.maxRequests);
  const ttft = new Float64Array(spec.stream ? limits.maxRequests : 0);
  const samples = new Set<string>();
  let issued = 0;
  let ok = 0;
  let errors = 0;
  let lastEnd = 0;
  const start = performance.now();
  const deadline = start + limits.maxMs;

  const loop = async (): Promise<void> => {
    while (issued < limits.maxRequests && performance.now() < deadline) {
      issued++;
      const outcome = await once(pool, spec);
      lastEnd = performance.now();
      if (outcome.error === undefined) {
        latency[ok] = outcome.total;
        if (spec.stream) ttft[ok] = outcome.ttft;
        ok++;
      } else {
        errors++;
        if (samples.size < 5) samples.add(outcome.error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return {
    requests: ok + errors,
    ok,
    errors,
    errorSamples: [...samples],
    elapsedMs: Math.max(0, lastEnd - start),
    latency: latency.subarray(0, ok),
    ttft: ttft.subarray(0, spec.stream ? ok : 0),
  };
}

interface Outcome {
  total: number;
  ttft: number;
  error?: string;
}

async function once(pool: Pool, spec: RequestSpec): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const res = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
    res.body.setEncoding('utf8');
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      return { total: 0, ttft: 0, error: `HTTP ${res.statusCode}: ${text.slice(0, 160)}` };
    }
    const wrong = spec.expect === undefined ? undefined : wrongHeader(res.headers, spec.expect);
    if (wrong !== undefined) {
      await res.body.dump();
      return { total: 0, ttft: 0, error: wrong };
    }
    if (!spec.stream) {
      const text = await res.body.text();
      const total = performance.now() - t0;
      if (!text.includes('"choices"')) return { total, ttft: 0, error: `not a chat completion: ${text.slice(0, 160)}` };
      return { total, ttft: 0 };
    }
    const probe = new SseProbe();
    let ttft = -1;
    let tail = '';
    for await (const chunk of res.body) {
      const text = chunk as string;
      if (ttft < 0 && probe.feed(text)) ttft = performance.now() - t0;
      tail = (tail + text).slice(-64);
    }
    const total = performance.now() - t0;
    if (ttft < 0) return { total, ttft, error: 'stream had no content event' };
    if (!/data: ?\[DONE\]\s*$/.test(tail)) return { total, ttft, error: `stream did not end with [DONE]: …${tail.trim().slice(-60)}` };
    return { total, ttft };
  } catch (err) {
    return { total: 0, ttft: 0, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** The first expected header whose value differs, described; undefined when all match. */
function wrongHeader(headers: Record<string, string | string[] | undefined>, expect: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(expect)) {
    const got = headers[name];
    if (got !== value) return `${name}: ${got === undefined ? '(absent)' : String(got)} (expected ${value})`;
  }
  return undefined;
}

/** Finds the first SSE event whose JSON carries a non-empty `choices[].delta.content`. */
export class SseProbe {
  private pending = '';
  private found = false;

  /** Feeds received text; true once a content event has been seen (in this or an earlier chunk). */
  feed(text: string): boolean {
    if (this.found) return true;
    this.pending += text;
    let start = 0;
    for (;;) {
      const nl = this.pending.indexOf('\n', start);
      if (nl < 0) break;
      const line = this.pending.slice(start, nl);
      start = nl + 1;
      if (line.startsWith('data:') && hasContent(line.slice(5).trim())) {
        this.found = true;
        break;
      }
    }
    this.pending = this.found ? '' : this.pending.slice(start);
    return this.found;
  }
}

function hasContent(data: string): boolean {
  if (data === '' || data === '[DONE]') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return false;
  }
  const choices = (parsed as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((c: { delta?: { content?: unknown } } | null) => typeof c?.delta?.content === 'string' && c.delta.content !== '');
}

/** A measured phase plus the errors seen while warming up. */
export interface Measurement extends PhaseResult {
  warmupErrors: number;
}

/**
 * One bounded measurement on fresh keep-alive connections: a warm-up (discarded, but its errors
 * are counted) then the measured phase, both at `concurrency`. Connections are destroyed after.
 */
export async function measure(spec: RequestSpec, concurrency: number, warmup: PhaseLimits, limits: PhaseLimits): Promise<Measurement> {
  const [only] = await measureInterleaved([spec], concurrency, warmup, limits, 1);
  return only as Measurement;
}

/**
 * Measures several servers at the same concurrency, taking turns: each is warmed up, then the
 * measured phase of each is cut into `rounds` slices run in turns, the order reversed every other
 * round (a b c c b a a b c …), so a burst of background load on the shared cores hits every server
 * alike and no server always runs right after another (two targets on one instance: the second
 * would always find it warm, and pay for the first one's garbage). Each server keeps its own
 * keep-alive connections for all its slices; `limits` bound the sum of one server's slices.
 */
export async function measureInterleaved(
  specs: RequestSpec[],
  concurrency: number,
  warmup: PhaseLimits,
  limits: PhaseLimits,
  rounds: number,
): Promise<Measurement[]> {
  const pools = specs.map((s) => openPool(s.origin, concurrency));
  try {
    const warm: PhaseResult[] = [];
    for (const [i, spec] of specs.entries()) warm.push(await runPhase(pools[i] as Pool, spec, concurrency, warmup));
    const slice: PhaseLimits = { maxRequests: Math.ceil(limits.maxRequests / rounds), maxMs: limits.maxMs / rounds };
    const parts: PhaseResult[][] = specs.map(() => []);
    const forward = specs.map((_, i) => i);
    const backward = [...forward].reverse();
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 === 0 ? forward : backward) {
        parts[i]?.push(await runPhase(pools[i] as Pool, specs[i] as RequestSpec, concurrency, slice));
      }
    }
    return parts.map((p, i) => {
      const merged = merge(p);
      const errorSamples = [...new Set([...merged.errorSamples, ...(warm[i]?.errorSamples ?? [])])].slice(0, 5);
      return { ...merged, errorSamples, warmupErrors: warm[i]?.errors ?? 0 };
    });
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Joins slices of one server's phase: samples concatenated, counts and elapsed time summed. */
function merge(parts: PhaseResult[]): PhaseResult {
  return {
    requests: parts.reduce((n, p) => n + p.requests, 0),
    ok: parts.reduce((n, p) => n + p.ok, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0),
    errorSamples: [...new Set(parts.flatMap((p) => p.errorSamples))].slice(0, 5),
    elapsedMs: parts.reduce((n, p) => n + p.elapsedMs, 0),
    latency: concat(parts.map((p) => p.latency)),
    ttft: concat(parts.map((p) => p.ttft)),
  };
}
