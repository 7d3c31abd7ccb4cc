// Turns measured rows into the result tables, the headline ratios against the forwarder, and PASS/MISS marks.
import type { Measurement } from './load.ts';
import type { BundleSize } from './size.ts';
import { type LatencySummary, summarize } from './stats.ts';

/**
 * Which way the requests went: (a) direct, (b) forwarder, (c) proxy on Miniflare (cache off),
 * (d) proxy under wrangler dev (cache off), (e) proxy on Miniflare answering from its KV cache,
 * (f) proxy on Miniflare without the BREAKER binding (cache off, circuit breakers off).
 */
export type TargetId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

/** A measured server, named with the runtime it ran on. */
export interface Target {
  id: TargetId;
  label: string;
  runtime: string;
  origin: string;
}

/** One table row: one target, one mode, one concurrency. */
export interface Row {
  target: Target;
  stream: boolean;
  concurrency: number;
  requests: number;
  /** Measured-phase errors plus warm-up errors. */
  errors: number;
  errorSamples: string[];
  rps: number;
  latency: LatencySummary;
  ttft: LatencySummary | undefined;
}

/** Summarises one measurement into a row. */
export function toRow(target: Target, stream: boolean, concurrency: number, m: Measurement): Row {
  return {
    target,
    stream,
    concurrency,
    requests: m.requests,
    errors: m.errors + m.warmupErrors,
    errorSamples: m.errorSamples,
    rps: m.elapsedMs > 0 ? (m.ok * 1000) / m.elapsedMs : 0,
    latency: summarize(m.latency),
    ttft: stream ? summarize(m.ttft) : undefined,
  };
}

/** Everything the report needs besides the rows. */
export interface ReportContext {
  rows: Row[];
  size: BundleSize;
  environment: string[];
  limits: string[];
  notes: string[];
}

const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(2));
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

function table(head: string[], body: string[][], alignRight: boolean[]): string[] {
  // At least 3 wide so a right-aligned rule (`--:`) fits; the layout is the one biome's markdown formatter keeps.
  const widths = head.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number): string => (alignRight[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0));
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (alignRight[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)];
}

function jsonTable(rows: Row[]): string[] {
  const body = rows.map((r) => [
    r.target.label,
    r.target.runtime,
    String(r.concurrency),
    String(r.requests),
    String(r.errors),
    r.rps.toFixed(0),
    ms(r.latency.p50),
    ms(r.latency.p99),
  ]);
  return table(['target', 'runtime', 'c', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms'], body, [
    false,
    false,
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
}

function streamTable(rows: Row[]): string[] {
  const body = rows.map((r) => [
    r.target.label,
    r.target.runtime,
    String(r.concurrency),
    String(r.requests),
    String(r.errors),
    r.rps.toFixed(0),
    ms(r.ttft?.p50),
    ms(r.ttft?.p99),
    ms(r.latency.p50),
    ms(r.latency.p99),
  ]);
  return table(['target', 'runtime', 'c', 'requests', 'errors', 'req/s', 'TTFT p50', 'TTFT p99', 'total p50', 'total p99'], body, [
    false,
    false,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
}

function find(rows: Row[], id: TargetId, stream: boolean, c: number): Row | undefined {
  return rows.find((r) => r.target.id === id && r.stream === stream && r.concurrency === c);
}

/** One headline figure against its target. */
interface Headline {
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

/** A rate of `a` relative to `b` in percent, or — when either is missing. */
function pct(a: Row | undefined, b: Row | undefined): string {
  return a && b && b.rps > 0 ? `${((a.rps / b.rps) * 100).toFixed(1)}%` : '—';
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

/**
 * What the circuit breakers cost on the happy path: the proxy with them (c) against the same bundle
 * without the BREAKER binding (f), measured in turns in the same phases. Target: under 0.2 ms added
 * at p50 (c=1); the throughput ratios are reported without a target.
 */
export function breakerHeadlines(rows: Row[]): Headline[] {
  const out: Headline[] = [];
  const on1 = find(rows, 'c', false, 1);
  const off1 = find(rows, 'f', false, 1);
  const added = on1 && off1 ? on1.latency.p50 - off1.latency.p50 : undefined;
  out.push({
    what: 'Added p50 latency at c=1, non-streaming: breakers on (c) − off (f)',
    value: added === undefined ? '—' : `${added.toFixed(2)} ms (${ms(on1?.latency.p50)} vs ${ms(off1?.latency.p50)})`,
    target: '< 0.2 ms',
    pass: added === undefined ? undefined : added < 0.2,
  });
  for (const c of [16, 64]) {
    const on = find(rows, 'c', false, c);
    const off = find(rows, 'f', false, c);
    out.push({
      what: `Throughput at c=${c}, non-streaming: breakers on (c) / off (f)`,
      value: on && off ? `${pct(on, off)} (${on.rps.toFixed(0)} vs ${off.rps.toFixed(0)} req/s)` : '—',
      target: 'reference, no target',
      pass: undefined,
    });
  }
  return out;
}

/** Informational comparisons, no target: streaming throughput, the forwarder's own cost, dev server cost. */
function extras(rows: Row[]): string[] {
  const lines: string[] = [];
  lines.push(`- Streaming throughput at c=64, proxy / forwarder: ${pct(find(rows, 'c', true, 64), find(rows, 'b', true, 64))}`);
  for (const stream of [false, true]) {
    const e64 = find(rows, 'e', stream, 64);
    const c1 = find(rows, 'c', stream, 1);
    const e1 = find(rows, 'e', stream, 1);
    if (e64 && c1 && e1) {
      const mode = stream ? 'streaming' : 'non-streaming';
      lines.push(
        `- Cache hit (e), ${mode}: throughput at c=64 ${pct(e64, find(rows, 'b', stream, 64))} of the forwarder, ${pct(e64, find(rows, 'a', stream, 64))} of direct; p50 at c=1 ${ms(e1.latency.p50)} ms vs ${ms(c1.latency.p50)} ms for a provider answer through the proxy (c)`,
      );
    }
  }
  for (const c of [1, 16, 64]) {
    const a = find(rows, 'a', false, c);
    const b = find(rows, 'b', false, c);
    if (a && b) {
      lines.push(
        `- Forwarder's own cost at c=${c} (b − a, non-streaming): p50 +${(b.latency.p50 - a.latency.p50).toFixed(2)} ms, throughput ${pct(b, a)} of direct`,
      );
    }
  }
  for (const stream of [false, true]) {
    for (const c of [1, 16]) {
      const d = find(rows, 'd', stream, c);
      const px = find(rows, 'c', stream, c);
      if (d && px) {
        lines.push(
          `- wrangler dev vs Miniflare API at c=${c}, ${stream ? 'streaming' : 'non-streaming'}: p50 ${ms(d.latency.p50)} vs ${ms(px.latency.p50)} ms, throughput ${pct(d, px)}`,
        );
      }
    }
  }
  return lines;
}

/** Total errors over every row (warm-ups included). */
export function totalErrors(rows: Row[]): number {
  return rows.reduce((sum, r) => sum + r.errors, 0);
}

/** The whole report as markdown; the same text is printed and written to `last-results.md`. */
export function renderReport(ctx: ReportContext): string {
  const { rows, size } = ctx;
  const mark = (p: boolean | undefined): string => (p === undefined ? 'n/a' : p ? 'PASS' : 'MISS');
  const lines: string[] = ['# Benchmark results', '', ...ctx.environment.map((e) => `- ${e}`), ''];
  lines.push('## Headline: proxy (c) against the minimal forwarder (b), both on workerd via Miniflare', '');
  lines.push(
    ...table(
      ['figure', 'value', 'target', ''],
      headlines(rows, size).map((h) => [h.what, h.value, h.target, mark(h.pass)]),
      [false, false, false, false],
    ),
  );
  lines.push('');
  lines.push('## Headline: cache hit (e) against the forwarder with a live upstream (b) and direct to the mock (a)', '');
  lines.push(
    ...table(
      ['figure', 'value', 'target', ''],
      cacheHeadlines(rows).map((h) => [h.what, h.value, h.target, mark(h.pass)]),
      [false, false, false, false],
    ),
  );
  if (rows.some((r) => r.target.id === 'f')) {
    lines.push('', '## Headline: circuit breakers on (c) against off (f), same bundle on workerd via Miniflare', '');
    lines.push(
      ...table(
        ['figure', 'value', 'target', ''],
        breakerHeadlines(rows).map((h) => [h.what, h.value, h.target, mark(h.pass)]),
        [false, false, false, false],
      ),
    );
  }
  lines.push('', ...extras(rows), '');
  lines.push('## Non-streaming (latency per request)', '', ...jsonTable(rows.filter((r) => !r.stream)), '');
  lines.push(
    '## Streaming (`stream: true`; TTFT = until the first SSE event with delta content)',
    '',
    ...streamTable(rows.filter((r) => r.stream)),
    '',
  );
  lines.push('## Built Worker (`wrangler deploy --dry-run`)', '');
  lines.push(`- main module: ${kb(size.rawBytes)} KB raw, ${kb(size.gzipBytes)} KB gzip (node:zlib gzipSync)`);
  if (size.composition.length > 0) {
    const parts = size.composition.map((p) => `${p.origin} ${kb(p.bytes)} KB (${((p.bytes / size.rawBytes) * 100).toFixed(1)}%)`);
    lines.push(`- raw bytes by origin (source map): ${parts.join(', ')}`);
  }
  lines.push('');
  const failed = rows.filter((r) => r.errors > 0);
  lines.push('## Errors', '');
  if (failed.length === 0) lines.push('- none: every answer was a 200 with a complete chat completion or stream.');
  for (const r of failed) {
    lines.push(
      `- ${r.target.label}, ${r.stream ? 'streaming' : 'non-streaming'}, c=${r.concurrency}: ${r.errors} errors; e.g. ${r.errorSamples.join(' / ')}`,
    );
  }
  lines.push('', '## Method', '', ...ctx.limits.map((l) => `- ${l}`), ...ctx.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
