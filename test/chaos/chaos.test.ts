// Chaos: bounded load through `wrangler dev` against vendors scripted to misbehave; every answer checked, figures reported.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seeded } from '../fuzz/prng.ts';
import type { MockCall } from '../mock-provider/handler.ts';
import { ALIASES, DEGRADED_REPLY } from './aliases.ts';
import type { Caller } from './answer.ts';
import { CHAOS_BREAKER, CHAOS_KEY, MEMORY_ALIAS, MEMORY_PIECE } from './config.ts';
import { addBreakerSkips, findWorkerd, mockCalls, proxyUrl, requestLogLines, warmUpCaches, wranglerOutput } from './harness.ts';
import { openHeapProbe } from './heap.ts';
import { type Outcome, planRequests, runLoad } from './load.ts';
import { readLongStream } from './long-stream.ts';
import { rssKib, type Sampler, sampleRss } from './memory.ts';
import { chaosMode } from './mode.ts';
import { type ChaosReport, type MemoryCheck, renderReport } from './report.ts';
import { type ChaosSummary, providerOf, summarize } from './summary.ts';

const mode = chaosMode();
const RESULTS = fileURLToPath(new URL('./last-results.md', import.meta.url));

let workerd: number;
let sampler: Sampler;
let outcomes: Outcome[] = [];
let calls: MockCall[] = [];
let summary: ChaosSummary | undefined;
const memory: MemoryCheck[] = [];
/** RSS of the Worker's workerd and its live JS heap (KiB), just before and just after the load phase. */
const rssAround = { before: 0, after: 0 };
const liveAround = { before: 0, after: 0 };

beforeAll(async () => {
  workerd = await findWorkerd();
  sampler = sampleRss(workerd, 100);
});

afterAll(() => {
  sampler?.stop();
  if (summary === undefined) return;
  const rss = {
    startKib: sampler.samples[0]?.kib ?? 0,
    beforeLoadKib: rssAround.before,
    afterLoadKib: rssAround.after,
    peakKib: sampler.peak(),
    liveBeforeLoadKib: liveAround.before,
    liveAfterLoadKib: liveAround.after,
  };
  const report: ChaosReport = { mode, date: new Date().toISOString().slice(0, 10), summary, rss, memory };
  const text = renderReport(report);
  console.log(text);
  if (mode.name === 'full') writeFileSync(RESULTS, text);
});

/** The Worker's live JS heap now, in KiB (one heap snapshot). */
async function liveHeap(): Promise<number> {
  const probe = await openHeapProbe(inject('chaosInspectorPort'));
  try {
    return await probe.live();
  } finally {
    probe.close();
  }
}

/**
 * Streams the long answer to a slow reader while sampling the Worker's RSS, and reads its live heap
 * (after a full collection) before, at a third and two thirds of the answer, and after. Once first
 * at full speed, unmeasured: the first long answer grows the heap to its working size.
 */
async function measureLongStream(caller: Caller): Promise<{ check: MemoryCheck; chars: number; status: number }> {
  const warm = await readLongStream(proxyUrl, MEMORY_ALIAS, caller, `chaos-memory-warm-${caller}`, { pauseMs: 0 });
  if (!warm.complete) console.log(`chaos memory (${caller}): the warm-up stream did not end well: …${JSON.stringify(warm.tail)}`);
  const probe = await openHeapProbe(inject('chaosInspectorPort'));
  try {
    const liveBefore = await probe.live();
    const baselineKib = rssKib(workerd) ?? 0;
    const from = sampler.samples.length;
    const marks = [warm.bytes / 3, (2 * warm.bytes) / 3];
    const liveDuring: number[] = [];
    // 1.5 to 3 MiB/s: slower than the proxy can relay, so only backpressure keeps the answer out of memory.
    const got = await readLongStream(proxyUrl, MEMORY_ALIAS, caller, `chaos-memory-${caller}`, {
      everyBytes: 64 * 1024,
      pauseMs: mode.memoryPauseMs,
      onBytes: async (bytes) => {
        while (marks[0] !== undefined && bytes >= marks[0]) {
          marks.shift();
          liveDuring.push(await probe.live());
        }
      },
    });
    const liveAfter = await probe.live();
    const during = sampler.samples.slice(from).map((s) => s.kib);
    const check: MemoryCheck = {
      caller,
      textMiB: got.chars / (1024 * 1024),
      ms: got.ms,
      baselineKib,
      peakKib: Math.max(baselineKib, ...during),
      live: [liveBefore, ...liveDuring, liveAfter],
      complete: got.complete,
    };
    memory.push(check);
    if (!got.complete) console.log(`chaos memory (${caller}): the stream did not end well: …${JSON.stringify(got.tail)}`);
    console.log(`chaos memory (${caller}): ${JSON.stringify(check)}`);
    return { check, chars: got.chars, status: got.status };
  } finally {
    probe.close();
  }
}

// First, on a fresh process: the load below leaves garbage that would blur the figures.
describe('memory while a very long answer streams to a slow reader', () => {
  // Regression: a promise kept per network read (SseReader's race) and per piped chunk (pipeThrough,
  // Anthropic callers) made the live heap grow with the answer until its end.
  it.each(['openai', 'anthropic'] as const)('keeps nothing per chunk for a %s caller: the live heap stays flat', async (caller) => {
    const { check, chars, status } = await measureLongStream(caller);
    expect(status).toBe(200);
    expect(check.complete).toBe(true);
    expect(chars).toBe(mode.memoryRepeat * MEMORY_PIECE.length + (mode.memoryRepeat - 1));
    expect(check.live).toHaveLength(4);
    const [before = 0, third = 0, twoThirds = 0, after = 0] = check.live;
    // The live heap holds what is in flight (a chunk or two), never the answer, and nothing is left
    // once it is done. (A promise kept per chunk until the stream's end showed here as megabytes.)
    expect(Math.max(third, twoThirds) - before).toBeLessThan(1024);
    expect(after - before).toBeLessThan(512);
    // RSS also counts garbage not yet collected and the allocator's slack: bounded, not flat to the byte.
    expect(check.peakKib - check.baselineKib).toBeLessThan(96 * 1024);
  });
});

describe(`chaos load (${mode.name})`, () => {
  beforeAll(async () => {
    await warmUpCaches();
    liveAround.before = await liveHeap();
    rssAround.before = rssKib(workerd) ?? 0;
    const callsBefore = (await mockCalls()).length;
    const plan = planRequests(seeded(mode.seed), mode.maxRequests, mode.seed.toString(36));
    console.log(
      `chaos (${mode.name}): seed ${mode.seed}, up to ${plan.length} requests or ${mode.maxMs / 1000} s, ${mode.concurrency} in flight`,
    );
    const started = Date.now();
    outcomes = await runLoad(proxyUrl, plan, mode.concurrency, mode.maxMs);
    const elapsed = Date.now() - started;
    rssAround.after = rssKib(workerd) ?? 0;
    // Streamed requests are logged when their stream ends, through waitUntil: give the last ones a moment.
    await sleep(1500);
    calls = (await mockCalls()).slice(callsBefore);
    // Best effort: after a long load the inspector may not answer a snapshot in time.
    liveAround.after = await liveHeap().catch((error: unknown) => {
      console.log(`chaos: no live heap after the load (${error instanceof Error ? error.message : String(error)})`);
      return Number.NaN;
    });
    addBreakerSkips(outcomes);
    summary = summarize(outcomes, calls, elapsed, mode.concurrency);
  }, 600_000);

  const byAlias = (name: string): Outcome[] => outcomes.filter((o) => o.alias === name);
  const describeOutcome = (o: Outcome): string =>
    `${o.id} ${o.alias} ${o.caller} stream=${o.stream} status=${o.status} source=${o.source} ${o.ending} ${o.problem ?? ''}`;
  const sum = (): ChaosSummary => {
    if (summary === undefined) throw new Error('the load did not run');
    return summary;
  };

  it('answers every request sent exactly once: one whole HTTP answer each, one request log line each', () => {
    expect(outcomes.length).toBeGreaterThan(100);
    expect(outcomes.filter((o) => o.status === 0).map(describeOutcome)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(outcomes.length);
    const logged = new Map<string, number>();
    for (const line of requestLogLines())
      if (line.requestId !== undefined) logged.set(line.requestId, (logged.get(line.requestId) ?? 0) + 1);
    expect(outcomes.filter((o) => logged.get(o.id) !== 1).map((o) => `${o.id}: ${logged.get(o.id) ?? 0} log lines`)).toEqual([]);
  });

  it('never ends an answer silently short: every stream ends with its terminator or an in-band error', () => {
    expect(outcomes.filter((o) => o.ending === 'truncated').map(describeOutcome)).toEqual([]);
  });

  it('shows no client-visible error while a healthy fallback exists (only the in-band errors the contract requires)', () => {
    const unexpected = outcomes.filter((o) => {
      if (o.ending === 'json' || o.ending === 'done') return false;
      return !(o.ending === 'inband-error' && ALIASES[o.alias]?.inbandErrors !== undefined);
    });
    expect(unexpected.map(describeOutcome)).toEqual([]);
  });

  it('answers each alias from its expected sources, with the whole text', () => {
    const wrong = outcomes.filter((o) => {
      if (o.ending !== 'json' && o.ending !== 'done') return false;
      const alias = ALIASES[o.alias];
      if (alias === undefined || !alias.sources.some((s) => s === o.source)) return true;
      return o.source === 'degraded' ? !o.text.startsWith(DEGRADED_REPLY) : o.text !== alias.text;
    });
    expect(wrong.map((o) => `${describeOutcome(o)} text=${JSON.stringify(o.text.slice(0, 80))}`)).toEqual([]);
    for (const source of ['provider', 'cache', 'stale-cache', 'degraded']) expect(sum().bySource[source] ?? 0, source).toBeGreaterThan(0);
  });

  it('contains every dead vendor with its breaker: its calls stay within the breaker bound, far below its requests', () => {
    for (const d of sum().dead) {
      const what = `${d.provider}: ${d.calls} calls for ${d.requests} requests`;
      expect(d.calls, what).toBeLessThanOrEqual(d.bound);
      expect(d.calls, what).toBeLessThan(d.requests);
    }
    const inband = byAlias('cut-plain').filter((o) => o.ending === 'inband-error').length;
    expect(inband).toBeLessThanOrEqual(sum().dead.find((d) => d.provider === 'cut-plain')?.bound ?? 0);
  });

  it('fails exactly 3 in 10 calls of the flaky vendor, and retries them there', () => {
    const flaky = sum().scripted.flaky ?? { calls: 0, faulty: 0 };
    expect(flaky.calls).toBeGreaterThan(20);
    // The cycle is F H H F H H F H H H: after c calls, 3 failures per full 10 plus the partial cycle's.
    const full = Math.floor(flaky.calls / 10) * 3;
    expect(flaky.faulty).toBeGreaterThanOrEqual(full);
    expect(flaky.faulty).toBeLessThanOrEqual(full + 3);
    const answered = byAlias('flaky').filter((o) => o.source === 'provider');
    expect(answered.filter((o) => o.provider === 'flaky').length / answered.length).toBeGreaterThan(0.9);
  });

  it('uses a flapping vendor again after each time its breaker opened, once openMs passed and a probe succeeded', () => {
    const { downs, ups, downMs } = sum().flap;
    expect(downs).toBeGreaterThan(1);
    // The last down may still be going on when the load stops.
    expect(ups).toBeGreaterThanOrEqual(downs - 1);
    // It waited openMs at least once, and never longer than one probe per failing call left, one per openMs.
    // (A single down can look shorter: it is measured from the first request this isolate turned away,
    // and the isolate's copy of the breaker may learn that it opened up to a second late.)
    expect(Math.max(...downMs)).toBeGreaterThanOrEqual(CHAOS_BREAKER.openMs);
    expect(Math.max(...downMs)).toBeLessThanOrEqual(6 * CHAOS_BREAKER.openMs + 2000);
  });

  it('continues cut and stalled streams with a prefill target, so the caller gets the whole answer', () => {
    expect(sum().rescues).toBeGreaterThan(0);
    expect(calls.filter((c) => ['cut-rescuer', 'stall-rescuer'].includes(providerOf(c))).length).toBeGreaterThan(0);
    for (const alias of ['cut-rescue', 'stall-rescue']) {
      expect(
        byAlias(alias)
          .filter((o) => o.ending !== 'done' || o.text !== ALIASES[alias]?.text)
          .map(describeOutcome),
      ).toEqual([]);
    }
  });

  it('never shows the vendor key in an answer or in wrangler output', () => {
    expect(outcomes.filter((o) => o.text.includes(CHAOS_KEY) || (o.problem ?? '').includes(CHAOS_KEY))).toEqual([]);
    expect(wranglerOutput()).not.toContain(CHAOS_KEY);
  });
});
