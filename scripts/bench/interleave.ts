// Interleaved measurement: several servers at one concurrency in slices taken in turns, each slice's CPU time read around it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import { type CpuMeter, snapshotMs } from './cpu.ts';
import { openPool, type PhaseLimits, type PhaseResult, type RequestSpec, runPhase } from './load.ts';

/** What one server did in one round, and the CPU time every watched process spent meanwhile. */
export interface Slice {
  result: PhaseResult;
  /**
   * CPU milliseconds by role (cpu.ts CpuMeter) from just before the slice's first request to
   * `settleMs` after its last answer; undefined without a meter or when /proc cannot be read.
   */
  cpuMs: Record<string, number> | undefined;
}

/** A server's measured slices, merged, plus each slice on its own and the errors seen while warming up. */
export interface Measurement extends PhaseResult {
  warmupErrors: number;
  /** In round order. */
  slices: Slice[];
}

/** How one interleaved phase runs. */
export interface InterleaveOptions {
  concurrency: number;
  warmup: PhaseLimits;
  /** Bounds of one slice (one server in one round). */
  slice: PhaseLimits;
  rounds: number;
  meter?: CpuMeter;
  /** Wait after a slice's last answer before reading the CPU, so what it left running (waitUntil) counts in it. */
  settleMs?: number;
}

/**
 * Measures several servers at the same concurrency, taking turns: each is warmed up, then each
 * round runs one slice per server, the order reversed every other round (a b c c b a a b c …), so
 * a burst of background load on the shared cores hits every server alike and no server always
 * runs right after another (two targets on one instance: the second would always find it warm,
 * and pay for the first one's garbage). Each server keeps its own keep-alive connections for all
 * its slices. With a meter, every watched process is read between slices, so the slices' CPU
 * figures add up to all the CPU time of the measured part.
 */
export async function measureInterleaved(specs: RequestSpec[], options: InterleaveOptions): Promise<Measurement[]> {
  const { concurrency, warmup, slice, rounds, meter, settleMs = 0 } = options;
  const pools = specs.map((s) => openPool(s.origin, concurrency));
  try {
    const warm: PhaseResult[] = [];
    for (const [i, spec] of specs.entries()) warm.push(await runPhase(pools[i] as Pool, spec, concurrency, warmup));
    const slices: Slice[][] = specs.map(() => []);
    const forward = specs.map((_, i) => i);
    const backward = [...forward].reverse();
    let before = meter?.snapshot();
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 === 0 ? forward : backward) {
        const result = await runPhase(pools[i] as Pool, specs[i] as RequestSpec, concurrency, slice);
        if (settleMs > 0) await sleep(settleMs);
        const after = meter?.snapshot();
        const cpuMs = before !== undefined && after !== undefined && after.size > 0 ? snapshotMs(before, after) : undefined;
        slices[i]?.push({ result, cpuMs });
        before = after;
      }
    }
    return slices.map((own, i) => {
      const merged = merge(own.map((s) => s.result));
      const errorSamples = [...new Set([...merged.errorSamples, ...(warm[i]?.errorSamples ?? [])])].slice(0, 5);
      return { ...merged, errorSamples, warmupErrors: warm[i]?.errors ?? 0, slices: own };
    });
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

/**
 * One bounded measurement on fresh keep-alive connections: a warm-up (discarded, but its errors
 * are counted) then the measured phase in one slice, both at `concurrency`. Connections are destroyed after.
 */
export async function measure(spec: RequestSpec, concurrency: number, warmup: PhaseLimits, limits: PhaseLimits): Promise<Measurement> {
  const [only] = await measureInterleaved([spec], { concurrency, warmup, slice: limits, rounds: 1 });
  return only as Measurement;
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

/**
 * Joins slices of one server's phase: samples concatenated, counts and elapsed time summed, the
 * rate over the slices' busy time (each slice's successful requests at its own rate).
 */
function merge(parts: PhaseResult[]): PhaseResult {
  const ok = parts.reduce((n, p) => n + p.ok, 0);
  const busySeconds = parts.reduce((t, p) => t + (p.rps > 0 ? p.ok / p.rps : 0), 0);
  return {
    requests: parts.reduce((n, p) => n + p.requests, 0),
    ok,
    errors: parts.reduce((n, p) => n + p.errors, 0),
    errorSamples: [...new Set(parts.flatMap((p) => p.errorSamples))].slice(0, 5),
    elapsedMs: parts.reduce((n, p) => n + p.elapsedMs, 0),
    rps: busySeconds > 0 ? ok / busySeconds : 0,
    latency: concat(parts.map((p) => p.latency)),
    ttft: concat(parts.map((p) => p.ttft)),
  };
}
