// The headline figures as medians of per-round figures with their range: proxy against forwarder, its targets, cache hits.
import {
  addedCpu,
  addedP50,
  addedP99,
  addedTtft,
  formatSpread,
  type Pair,
  pairedSpread,
  roundSpread,
  throughputRatio,
  type Verdict,
  verdict,
  workerdCpu,
} from './compare.ts';
import { CONCURRENCY } from './plan.ts';
import { find, kb, type Row, type TargetId } from './rows.ts';
import type { BundleSize } from './size.ts';

/** One headline figure against its target. */
export interface Headline {
  what: string;
  value: string;
  target: string;
  verdict: Verdict | undefined;
}

const modeName = (stream: boolean): string => (stream ? 'streaming' : 'non-streaming');

/**
 * The proxy (c) against the forwarder (b) in every phase, as table cells: throughput ratio, added
 * p50 / p99 / time to first token, and workerd CPU per request of each and its difference.
 */
export function versusRows(rows: Row[]): string[][] {
  const out: string[][] = [];
  for (const stream of [false, true]) {
    for (const c of CONCURRENCY) {
      const px = find(rows, 'c', stream, c);
      const fwd = find(rows, 'b', stream, c);
      if (px === undefined || fwd === undefined) continue;
      const pair = (f: Pair, digits = 2, scale = 1): string => formatSpread(pairedSpread(px, fwd, f), digits, scale);
      out.push([
        modeName(stream),
        String(c),
        pair(throughputRatio, 1, 100),
        pair(addedP50),
        pair(addedP99),
        stream ? pair(addedTtft) : '—',
        formatSpread(roundSpread(fwd, workerdCpu), 3),
        formatSpread(roundSpread(px, workerdCpu), 3),
        pair(addedCpu, 3),
      ]);
    }
  }
  return out;
}

/** A target on a figure: at most or at least `value` (a fraction when `percent`), as the report words it. */
interface Limit {
  value: number;
  atMost: boolean;
  text: string;
  percent?: boolean;
}

const atLeast = (fraction: number): Limit => ({ value: fraction, atMost: false, text: `≥ ${fraction * 100}%`, percent: true });
const atMost = (ms: number, text: string): Limit => ({ value: ms, atMost: true, text });

/** A paired figure of `on` against `off` in one phase, judged against `limit`. */
function judged(rows: Row[], what: string, [on, off, stream, c]: [TargetId, TargetId, boolean, number], f: Pair, limit: Limit): Headline {
  const s = pairedSpread(find(rows, on, stream, c), find(rows, off, stream, c), f);
  const scale = limit.percent ? 100 : 1;
  return {
    what,
    value: formatSpread(s, limit.percent ? 1 : 2, scale, limit.percent ? '%' : ' ms'),
    target: limit.text,
    verdict: verdict(s, limit.value, limit.atMost),
  };
}

/** The targets of issue 16 (item 4), each on the median of its per-round figure, and the bundle size. */
export function headlines(rows: Row[], size: BundleSize): Headline[] {
  return [
    judged(rows, 'Throughput at c=64, non-streaming: proxy / forwarder', ['c', 'b', false, 64], throughputRatio, atLeast(0.85)),
    judged(rows, 'CPU per request at c=64, non-streaming: proxy − forwarder', ['c', 'b', false, 64], addedCpu, atMost(0.25, '≤ 0.25 ms')),
    judged(rows, 'Throughput at c=64, streaming: proxy / forwarder', ['c', 'b', true, 64], throughputRatio, atLeast(0.8)),
    judged(rows, 'CPU per 20-event stream at c=64: proxy − forwarder', ['c', 'b', true, 64], addedCpu, atMost(0.5, '≤ 0.5 ms')),
    judged(rows, 'Added p50 at c=1, non-streaming: proxy − forwarder', ['c', 'b', false, 1], addedP50, atMost(0.4, '< 0.4 ms')),
    judged(rows, 'Time to first token p50 at c=1: proxy − forwarder', ['c', 'b', true, 1], addedTtft, atMost(0.5, '≤ 0.5 ms')),
    judged(rows, 'Added p50 at c=1, non-streaming: breakers on (c) − off (f)', ['c', 'f', false, 1], addedP50, atMost(0.1, '< 0.1 ms')),
    {
      what: 'Built Worker, gzip (raw)',
      value: `${kb(size.gzipBytes)} KB (${kb(size.rawBytes)} KB)`,
      target: '< 100 KB gzip',
      verdict: { pass: size.gzipBytes < 100 * 1024, straddles: false },
    },
  ];
}

/** A headline shown for reference: its value without a target. */
const reference = (h: Headline): Headline => ({ ...h, target: 'reference, no target', verdict: undefined });

/**
 * Cache hits (e) against the forwarder with a live upstream (b), with the target "a cache hit
 * answers faster than the forwarder does": p50 (time to first token for streams) lower at c=1 and
 * req/s higher at c=16; and against direct to the mock (a), for reference.
 */
export function cacheHeadlines(rows: Row[]): Headline[] {
  const out: Headline[] = [];
  const faster = atMost(0, '≤ 0 ms (faster)');
  const more = atLeast(1);
  for (const stream of [false, true]) {
    const mode = modeName(stream);
    const metric = stream ? 'time to first token p50' : 'p50';
    const first = stream ? addedTtft : addedP50;
    out.push(
      judged(rows, `Cache hit (e) − forwarder (b), ${mode}: ${metric} at c=1`, ['e', 'b', stream, 1], first, faster),
      judged(rows, `Cache hit (e) / forwarder (b), ${mode}: throughput at c=16`, ['e', 'b', stream, 16], throughputRatio, more),
      reference(judged(rows, `Cache hit (e) − direct (a), ${mode}: ${metric} at c=1`, ['e', 'a', stream, 1], first, faster)),
      reference(judged(rows, `Cache hit (e) / direct (a), ${mode}: throughput at c=16`, ['e', 'a', stream, 16], throughputRatio, more)),
    );
  }
  return out;
}
