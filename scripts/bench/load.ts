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
  /**
   * Called once per request when requests must differ (a cache miss every time, rotating caller
   * addresses): its body replaces `body`, its headers are added to `headers`.
   */
  vary?: () => { body?: string; headers?: Record<string, string> };
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
  /**
   * Successful requests per second: each connection's successful requests over its own time (the
   * phase's first send to that connection's last completion), summed over the connections. Unlike
   * ok / elapsedMs it is not diluted by the tail in which the last connections finish alone, which
   * would cost a slow target more (by about half its latency over the phase's length).
   */
  rps: number;
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
  let rps = 0;
  const start = performance.now();
  const deadline = start + limits.maxMs;

  const loop = async (): Promise<void> => {
    let own = 0;
    while (issued < limits.maxRequests && performance.now() < deadline) {
      issued++;
      const outcome = await once(pool, spec);
      lastEnd = performance.now();
      if (outcome.error === undefined) {
        latency[ok] = outcome.total;
        if (spec.stream) ttft[ok] = outcome.ttft;
        ok++;
        own++;
      } else {
        errors++;
        if (samples.size < 5) samples.add(outcome.error);
      }
    }
    if (own > 0 && lastEnd > start) rps += (own * 1000) / (lastEnd - start);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return {
    requests: ok + errors,
    ok,
    errors,
    errorSamples: [...samples],
    elapsedMs: Math.max(0, lastEnd - start),
    rps,
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
  const varied = spec.vary?.();
  const headers = varied?.headers === undefined ? spec.headers : { ...spec.headers, ...varied.headers };
  const t0 = performance.now();
  try {
    const res = await pool.request({ path: spec.path, method: 'POST', headers, body: varied?.body ?? spec.body });
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
