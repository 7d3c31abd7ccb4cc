// The headline figures, each against its target (PASS/MISS) or for reference: proxy against forwarder, cache hits, what features cost.
import { find, kb, ms, pct, type Row, type TargetId } from './rows.ts';
import type { BundleSize } from './size.ts';

/** One headline figure against its target. */
export interface Headline {
  what: string;
  value: string;
  target: string;
  pass: boolean | undefined;
}

/** The headline ratios of the proxy (c) against the forwarder (b), and the bundle size. */
export function headlines(rows: Row[], size: BundleSize): Headline[] {
  const out: Headline[] = [];
  const fwd64 = find(rows, 'b', false, 64);
  const px64 = find(rows, 'c', false, 64);
  const ratio = fwd64 && px64 && fwd64.rps > 0 ? px64.rps / fwd64.rps : undefined;
  out.push({
    what: 'Throughput at c=64, non-streaming: proxy / forwarder',
    value: ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)}% (${px64?.rps.toFixed(0)} vs ${fwd64?.rps.toFixed(0)} req/s)`,
    target: '≥ 80%',
    pass: ratio === undefined ? undefined : ratio >= 0.8,
  });
  const fwd1 = find(rows, 'b', false, 1);
  const px1 = find(rows, 'c', false, 1);
  const added = fwd1 && px1 ? px1.latency.p50 - fwd1.latency.p50 : undefined;
  out.push({
    what: 'Added p50 latency at c=1, non-streaming: proxy − forwarder',
    value: added === undefined ? '—' : `${added.toFixed(2)} ms (${ms(px1?.latency.p50)} vs ${ms(fwd1?.latency.p50)})`,
    target: '< 0.5 ms',
    pass: added === undefined ? undefined : added < 0.5,
  });
  const fwdS = find(rows, 'b', true, 1);
  const pxS = find(rows, 'c', true, 1);
  const ttft = fwdS?.ttft && pxS?.ttft ? pxS.ttft.p50 - fwdS.ttft.p50 : undefined;
  out.push({
    what: 'Streaming TTFT p50 at c=1: proxy − forwarder',
    value: ttft === undefined ? '—' : `${ttft.toFixed(2)} ms (${ms(pxS?.ttft?.p50)} vs ${ms(fwdS?.ttft?.p50)})`,
    target: 'within 1 ms',
    pass: ttft === undefined ? undefined : Math.abs(ttft) <= 1,
  });
  out.push({
    what: 'Built Worker, gzip (raw)',
    value: `${kb(size.gzipBytes)} KB (${kb(size.rawBytes)} KB)`,
    target: '< 100 KB gzip',
    pass: size.gzipBytes < 100 * 1024,
  });
  return out;
}

/** The p50 of a row that matters for "answers faster": whole answer for JSON, time to first token for streams. */
function firstAnswer(r: Row | undefined): number | undefined {
  return r === undefined ? undefined : r.stream ? r.ttft?.p50 : r.latency.p50;
}

/**
 * Cache hits (e) against the forwarder with a live upstream (b), with the target "a cache hit
 * answers faster than the forwarder does": p50 (TTFT for streams) lower at c=1 and req/s higher
 * at c=16; and against direct to the mock (a), for reference.
 */
export function cacheHeadlines(rows: Row[]): Headline[] {
  const out: Headline[] = [];
  for (const [ref, refName] of [
    ['b', 'forwarder (b)'],
    ['a', 'direct (a)'],
  ] as const) {
    for (const stream of [false, true]) {
      const hit1 = find(rows, 'e', stream, 1);
      const ref1 = find(rows, ref, stream, 1);
      const hit16 = find(rows, 'e', stream, 16);
      const ref16 = find(rows, ref, stream, 16);
      const p50Hit = firstAnswer(hit1);
      const p50Ref = firstAnswer(ref1);
      const known = p50Hit !== undefined && p50Ref !== undefined && hit16 !== undefined && ref16 !== undefined;
      const metric = stream ? 'TTFT p50' : 'p50';
      out.push({
        what: `Cache hit vs ${refName}, ${stream ? 'streaming' : 'non-streaming'}: ${metric} at c=1; req/s at c=16`,
        value: known
          ? `${ms(p50Hit)} vs ${ms(p50Ref)} ms; ${hit16.rps.toFixed(0)} vs ${ref16.rps.toFixed(0)} req/s (${pct(hit16, ref16)})`
          : '—',
        target: ref === 'b' ? `${metric} lower and req/s higher than (b)` : 'reference, no target',
        pass: ref === 'b' && known ? p50Hit < p50Ref && hit16.rps > ref16.rps : undefined,
      });
    }
  }
  return out;
}

/** What one feature costs on the happy path: two targets of the same bundle, one setting apart, measured in turns in the same phases. */
export interface Cost {
  /** Section heading. */
  title: string;
  /** The target with the feature, and how the figures name it, e.g. `breakers on (c)`. */
  with: TargetId;
  withName: string;
  /** The target without it, e.g. `off (f)`. */
  without: TargetId;
  withoutName: string;
  /** Target for the added p50 at c=1, non-streaming, in ms. */
  maxAddedMs: number;
  /** Concurrencies whose non-streaming throughput ratio is reported, without a target. */
  throughputAt: number[];
}

/**
 * The measured costs: circuit breakers (c against f), a weighted draw over two targets against the
 * one-target ordered alias (g against c), a client key with a daily and a per-minute token budget
 * against one without limits (i against h).
 */
export const COSTS = [
  {
    title: 'circuit breakers on (c) against off (f), same bundle on workerd via Miniflare',
    with: 'c',
    withName: 'breakers on (c)',
    without: 'f',
    withoutName: 'off (f)',
    maxAddedMs: 0.2,
    throughputAt: [16, 64],
  },
  {
    title: 'balance `weighted` over two targets (g) against the ordered one-target alias (c), same instance',
    with: 'g',
    withName: 'weighted (g)',
    without: 'c',
    withoutName: 'ordered (c)',
    maxAddedMs: 0.05,
    throughputAt: [16],
  },
  {
    title: 'client key with a budget (i) against a key without limits (h), same instance',
    with: 'i',
    withName: 'key with budget (i)',
    without: 'h',
    withoutName: 'without (h)',
    maxAddedMs: 1,
    throughputAt: [16, 64],
  },
] satisfies Cost[];

/** A cost's figures: the added p50 at c=1 against its target, then its throughput ratios, reference only. */
export function costHeadlines(rows: Row[], cost: Cost): Headline[] {
  const out: Headline[] = [];
  const on1 = find(rows, cost.with, false, 1);
  const off1 = find(rows, cost.without, false, 1);
  const added = on1 && off1 ? on1.latency.p50 - off1.latency.p50 : undefined;
  out.push({
    what: `Added p50 latency at c=1, non-streaming: ${cost.withName} − ${cost.withoutName}`,
    value: added === undefined ? '—' : `${added.toFixed(2)} ms (${ms(on1?.latency.p50)} vs ${ms(off1?.latency.p50)})`,
    target: `< ${cost.maxAddedMs} ms`,
    pass: added === undefined ? undefined : added < cost.maxAddedMs,
  });
  for (const c of cost.throughputAt) {
    const on = find(rows, cost.with, false, c);
    const off = find(rows, cost.without, false, c);
    out.push({
      what: `Throughput at c=${c}, non-streaming: ${cost.withName} / ${cost.withoutName}`,
      value: on && off ? `${pct(on, off)} (${on.rps.toFixed(0)} vs ${off.rps.toFixed(0)} req/s)` : '—',
      target: 'reference, no target',
      pass: undefined,
    });
  }
  return out;
}
