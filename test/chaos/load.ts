// The chaos load: a seeded plan of requests over the aliases, sent by a bounded closed loop, each answer read to its end.
import { performance } from 'node:perf_hooks';
import type { Pool } from 'undici';
import { openPool } from '../../scripts/bench/load.ts';
import type { Rng } from '../fuzz/prng.ts';
import { ALIASES } from './aliases.ts';
import { type Caller, type Ending, readAnswer } from './answer.ts';

export interface PlannedRequest {
  /** Sent as `x-request-id`, to find the request's log line. */
  id: string;
  alias: string;
  caller: Caller;
  stream: boolean;
  prompt: string;
  headers: Record<string, string>;
}

export interface Outcome extends PlannedRequest {
  /** 0 when the request failed below HTTP (connection refused, reset, timeout). */
  status: number;
  source: string | null;
  provider: string | null;
  attempts: number;
  ending: Ending | 'transport-error';
  text: string;
  problem?: string;
  ms: number;
  /** When the answer was complete, in ms since the load started. */
  endedAt: number;
  /** Providers skipped because their breaker was open (from the request's log line, filled in after the load). */
  breakerSkips: string[];
}

/** The prompts each alias warms its cache with before the load (the `sinking` alias). */
export const warmPrompt = (alias: string, k: number): string => `chaos ${alias} warm ${k}`;

/**
 * `count` requests: an alias by weight, the caller's protocol at random, streamed or not (always
 * for stream-fault aliases), a new prompt, or in 1 of 10 a prompt already planned for that alias
 * (a cache hit once its answer is stored). The `sinking` alias asks its warm prompts plainly (a
 * cache hit), with `Cache-Control: no-cache` (its vendor is dead by then: the stale entry), or a new
 * prompt (the degraded reply).
 */
export function planRequests(rng: Rng, count: number, runId: string): PlannedRequest[] {
  const table = Object.entries(ALIASES).map(([name, alias]) => [alias.weight, name] as const);
  const asked = new Map<string, string[]>();
  const plan: PlannedRequest[] = [];
  for (let n = 0; n < count; n++) {
    const alias = rng.weighted(table);
    const spec = ALIASES[alias];
    if (spec === undefined) throw new Error(`no alias ${alias}`);
    const caller: Caller = rng.chance(0.5) ? 'openai' : 'anthropic';
    const stream = spec.streamOnly === true || rng.chance(0.6);
    const headers: Record<string, string> = {};
    let prompt = `chaos ${alias} ${runId} ${n}`;
    const earlier = asked.get(alias) ?? [];
    if (spec.warmUp !== undefined) {
      const kind = rng.pick(['hit', 'stale', 'new'] as const);
      if (kind !== 'new') prompt = warmPrompt(alias, rng.int(0, spec.warmUp - 1));
      if (kind === 'stale') headers['cache-control'] = 'no-cache';
    } else if (earlier.length > 0 && rng.chance(0.1)) {
      prompt = rng.pick(earlier);
    } else {
      earlier.push(prompt);
      asked.set(alias, earlier);
    }
    plan.push({ id: `chaos-${runId}-${n}`, alias, caller, stream, prompt, headers });
  }
  return plan;
}

/** The request's path, headers and body in the caller's protocol. */
export function wireRequest(r: Pick<PlannedRequest, 'alias' | 'caller' | 'stream' | 'prompt' | 'headers' | 'id'>) {
  const messages = [{ role: 'user', content: r.prompt }];
  const common = { 'content-type': 'application/json', 'x-request-id': r.id, ...r.headers };
  if (r.caller === 'openai') {
    return {
      path: '/v1/chat/completions',
      headers: { ...common, authorization: 'Bearer unused' },
      body: JSON.stringify({ model: r.alias, messages, stream: r.stream }),
    };
  }
  return {
    path: '/v1/messages',
    headers: { ...common, 'x-api-key': 'unused', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: r.alias, max_tokens: 1024, messages, stream: r.stream }),
  };
}

/** Sends one planned request on `pool` and reads the whole answer; never throws. */
export async function send(pool: Pool, r: PlannedRequest, startedAt: number): Promise<Outcome> {
  const t0 = performance.now();
  const wire = wireRequest(r);
  try {
    const res = await pool.request({ method: 'POST', path: wire.path, headers: wire.headers, body: wire.body });
    const body = await res.body.text();
    const header = (name: string): string | null => {
      const value = res.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const read = readAnswer(r.caller, r.stream, res.statusCode, body);
    const ended = performance.now();
    return {
      ...r,
      status: res.statusCode,
      source: header('x-proxy-source'),
      provider: header('x-proxy-provider'),
      attempts: Number(header('x-proxy-attempts') ?? 0),
      ...read,
      ms: ended - t0,
      endedAt: ended - startedAt,
      breakerSkips: [],
    };
  } catch (error) {
    const ended = performance.now();
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ...r,
      status: 0,
      source: null,
      provider: null,
      attempts: 0,
      ending: 'transport-error',
      text: '',
      problem,
      ms: ended - t0,
      endedAt: ended - startedAt,
      breakerSkips: [],
    };
  }
}

/**
 * Sends `plan` in order with `concurrency` closed loops (each sends its next request once its last
 * answer was read) until the plan is done or `maxMs` passed; requests not started by then are not sent.
 */
export async function runLoad(origin: string, plan: readonly PlannedRequest[], concurrency: number, maxMs: number): Promise<Outcome[]> {
  const pool = openPool(origin, concurrency);
  const outcomes: Outcome[] = [];
  const startedAt = performance.now();
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < plan.length && performance.now() - startedAt < maxMs) {
      const r = plan[next++] as PlannedRequest;
      outcomes.push(await send(pool, r, startedAt));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    await pool.destroy();
  }
  return outcomes;
}
