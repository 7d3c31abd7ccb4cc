// Turns measured rows into the result tables and the headline tables with their PASS/MISS marks, as markdown.
import { COSTS, cacheHeadlines, costHeadlines, headlines } from './headlines.ts';
import { find, kb, ms, pct, type Row } from './rows.ts';
import type { BundleSize } from './size.ts';

/** Everything the report needs besides the rows. */
export interface ReportContext {
  rows: Row[];
  size: BundleSize;
  environment: string[];
  limits: string[];
  notes: string[];
}

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
  for (const cost of COSTS) {
    if (!rows.some((r) => r.target.id === cost.with) || !rows.some((r) => r.target.id === cost.without)) continue;
    lines.push('', `## Headline: ${cost.title}`, '');
    lines.push(
      ...table(
        ['figure', 'value', 'target', ''],
        costHeadlines(rows, cost).map((h) => [h.what, h.value, h.target, mark(h.pass)]),
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
