// Turns measured rows into the markdown report: proxy against forwarder, the targets, layer costs, cache hits, the full tables.
import { mark } from './compare.ts';
import { cacheHeadlines, type Headline, headlines, versusRows } from './headlines.ts';
import { layerHead, layerRows } from './layers.ts';
import { type CpuPerRequest, find, kb, ms, pct, type Row } from './rows.ts';
import type { BundleSize } from './size.ts';

/** Everything the report needs besides the rows. */
export interface ReportContext {
  rows: Row[];
  size: BundleSize;
  rounds: number;
  environment: string[];
  method: string[];
  notes: string[];
}

/** A markdown table in the layout biome's markdown formatter keeps; columns after the first `leftColumns` align right. */
export function table(head: string[], body: string[][], leftColumns = 1): string[] {
  // At least 3 wide so a right-aligned rule (`--:`) fits.
  const widths = head.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? '').length)));
  const right = (i: number): boolean => i >= leftColumns;
  const cell = (text: string, i: number): string => (right(i) ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0));
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)];
}

const headlineTable = (list: Headline[]): string[] =>
  table(
    ['figure', 'median [min, max]', 'target', ''],
    list.map((h) => [h.what, h.value, h.target, mark(h.verdict)]),
    4,
  );

const cpuCell = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(3));

/** Cores kept busy by the four processes while the row ran: CPU per request times requests per second. */
function coresBusy(cpu: CpuPerRequest | undefined, rps: number): string {
  if (cpu === undefined) return '—';
  return ((((cpu.workerd ?? 0) + cpu.host + cpu.mock + cpu.generator) * rps) / 1000).toFixed(2);
}

function detailTable(rows: Row[], stream: boolean): string[] {
  const head = ['target', 'c', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms'];
  if (stream) head.push('TTFT p50', 'TTFT p99');
  head.push('CPU/req workerd', 'host', 'mock', 'generator', 'cores busy');
  const body = rows.map((r) => {
    const cells = [
      r.target.label,
      String(r.concurrency),
      String(r.requests),
      String(r.errors),
      r.rps.toFixed(0),
      ms(r.latency.p50),
      ms(r.latency.p99),
    ];
    if (stream) cells.push(ms(r.ttft?.p50), ms(r.ttft?.p99));
    cells.push(cpuCell(r.cpu?.workerd), cpuCell(r.cpu?.host), cpuCell(r.cpu?.mock), cpuCell(r.cpu?.generator), coresBusy(r.cpu, r.rps));
    return cells;
  });
  return table(head, body);
}

/** Informational comparisons, no target: the forwarder's own cost, the dev server's. */
function extras(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const c of [1, 16, 64]) {
    const a = find(rows, 'a', false, c);
    const b = find(rows, 'b', false, c);
    if (a && b) {
      lines.push(
        `- Forwarder's own cost at c=${c} (b − a, non-streaming, all rounds): p50 +${(b.latency.p50 - a.latency.p50).toFixed(2)} ms, throughput ${pct(b, a)} of direct`,
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

/** The comparisons: proxy against forwarder, the targets, the layers, cache hits. */
function summary(rows: Row[], size: BundleSize, rounds: number): string[] {
  const versusHead = ['mode', 'c', 'throughput proxy / fwd, %', 'added p50 ms', 'added p99 ms', 'added TTFT p50 ms'];
  versusHead.push('CPU/req forwarder', 'CPU/req proxy', 'added CPU/req');
  return [
    '## Proxy (c) against the minimal forwarder (b), both on workerd via Miniflare',
    '',
    `Per-round figures, median [min, max] over ${rounds} rounds (each round: one slice per target, back to back). CPU/req: the workerd process's CPU time per request, ms (Method).`,
    '',
    ...table(versusHead, versusRows(rows)),
    '',
    '## Targets (issue 16, item 4), judged on the median',
    '',
    ...headlineTable(headlines(rows, size)),
    '',
    '## Layer cost: each optional layer on against off, same bundle, same run',
    '',
    'Each figure: the layer-on target minus (or over) the layer-off target in the same round, median [min, max] over the rounds. CPU: each target its own workerd process, or the slices of one shared process (Method).',
    '',
    ...table(layerHead(), layerRows(rows), 2),
    '',
    '## Cache hit (e) against the forwarder with a live upstream (b) and direct to the mock (a)',
    '',
    ...headlineTable(cacheHeadlines(rows)),
    '',
    ...extras(rows),
    '',
  ];
}

/** Every row with all its rounds pooled, the built Worker, the errors. */
function details(rows: Row[], size: BundleSize): string[] {
  const plain = rows.filter((r) => !r.stream);
  const streamed = rows.filter((r) => r.stream);
  const lines = ['## Non-streaming, all rounds together', '', ...detailTable(plain, false), ''];
  lines.push('## Streaming (`stream: true`; TTFT = until the first SSE event with delta content), all rounds together', '');
  lines.push(...detailTable(streamed, true), '');
  lines.push('## Built Worker (`wrangler deploy --dry-run`)', '');
  lines.push(`- main module: ${kb(size.rawBytes)} KB raw, ${kb(size.gzipBytes)} KB gzip (node:zlib gzipSync)`);
  if (size.composition.length > 0) {
    const parts = size.composition.map((p) => `${p.origin} ${kb(p.bytes)} KB (${((p.bytes / size.rawBytes) * 100).toFixed(1)}%)`);
    lines.push(`- raw bytes by origin (source map): ${parts.join(', ')}`);
  }
  lines.push('', '## Errors', '');
  const failed = rows.filter((r) => r.errors > 0);
  if (failed.length === 0) lines.push('- none: every answer was a 200 with a complete chat completion or stream.');
  for (const r of failed) {
    const mode = r.stream ? 'streaming' : 'non-streaming';
    lines.push(`- ${r.target.label}, ${mode}, c=${r.concurrency}: ${r.errors} errors; e.g. ${r.errorSamples.join(' / ')}`);
  }
  return lines;
}

/** The whole report as markdown; the same text is printed and written to `last-results.md`. */
export function renderReport(ctx: ReportContext): string {
  const { rows, size, rounds } = ctx;
  return [
    '# Benchmark results',
    '',
    ...ctx.environment.map((e) => `- ${e}`),
    '',
    ...summary(rows, size, rounds),
    ...details(rows, size),
    '',
    '## Method',
    '',
    ...ctx.method.map((l) => `- ${l}`),
    ...ctx.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
