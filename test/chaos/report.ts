// The chaos run's report: the headline figures, one row per alias, the dead vendors and the memory check, as Markdown.
import { CHAOS_BREAKER } from './config.ts';
import type { ChaosMode } from './mode.ts';
import type { AliasRow, ChaosSummary } from './summary.ts';

export interface MemoryCheck {
  caller: string;
  /** MiB of answer text streamed through. */
  textMiB: number;
  ms: number;
  baselineKib: number;
  peakKib: number;
  /** Live JS heap (after a full collection): before the stream, at a third and two thirds of it, after it. */
  live: number[];
  complete: boolean;
}

export interface ChaosReport {
  mode: ChaosMode;
  date: string;
  summary: ChaosSummary;
  /** RSS of the workerd running the Worker: fresh, before and after the load phase, and the highest sample of the run. */
  rss: {
    startKib: number;
    beforeLoadKib: number;
    afterLoadKib: number;
    peakKib: number;
    liveBeforeLoadKib: number;
    liveAfterLoadKib: number;
  };
  memory: MemoryCheck[];
}

const ms = (v: number): string => (Number.isNaN(v) ? '-' : `${v < 100 ? v.toFixed(1) : v.toFixed(0)} ms`);
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const signedMib = (kib: number): string => `${kib >= 0 ? '+' : '−'}${mib(Math.abs(kib))}`;
const range = (list: readonly number[]): string =>
  list.length === 0 ? '-' : `${(Math.min(...list) / 1000).toFixed(1)}–${(Math.max(...list) / 1000).toFixed(1)} s`;
const sources = (by: Record<string, number>): string =>
  Object.entries(by)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, n]) => `${source} ${n}`)
    .join(', ');

/** A Markdown table, columns padded as the formatter (Biome) lays them out. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** The headline table (the README's Reliability table). */
export function headline(r: ChaosReport): string {
  const s = r.summary;
  const deadCalls = s.dead.map((d) => `${d.provider} ${d.calls}/${d.requests}`).join(', ');
  const rows: string[][] = [
    ['requests sent', String(s.sent)],
    ['answered (one response each, read to its end)', String(s.answered)],
    [
      'client-visible errors',
      `${s.errored} (${s.inband} in-band stream errors by contract, ${s.httpErrors} HTTP errors, ${s.truncated} truncated, ${s.transport} transport)`,
    ],
    ['answers by `x-proxy-source`', sources(s.bySource)],
    ['streams rescued by a prefill target', String(s.rescues)],
    ['calls that reached a dead vendor / requests for its alias', deadCalls],
    [
      'flapping vendor (5 failing calls in every 25)',
      `breaker opened ${s.flap.downs} times; vendor used again ${s.flap.ups} times, ${range(s.flap.downMs)} after (openMs ${CHAOS_BREAKER.openMs / 1000} s)`,
    ],
    ['latency p50 / p99 / max', `${ms(s.latency.p50)} / ${ms(s.latency.p99)} / ${ms(s.latency.max)}`],
    ['load', `${(s.elapsedMs / 1000).toFixed(1)} s, ${r.mode.concurrency} in flight, ${(s.sent / (s.elapsedMs / 1000)).toFixed(0)} req/s`],
    [
      'live JS heap of the Worker (after a full collection)',
      `${mib(r.rss.liveBeforeLoadKib)} before the load, ${mib(r.rss.liveAfterLoadKib)} after it`,
    ],
    [
      'RSS of the workerd running the Worker',
      `${mib(r.rss.startKib)} fresh, ${mib(r.rss.beforeLoadKib)} before the load, ${mib(r.rss.afterLoadKib)} after it; peak ${mib(r.rss.peakKib)}`,
    ],
    ...r.memory.map((m) => [
      `very long stream to a slow ${m.caller} reader (${m.textMiB.toFixed(0)} MiB of text, ${(m.ms / 1000).toFixed(1)} s)`,
      `live JS heap ${m.live.map(mib).join(' → ')} (before, at ⅓, at ⅔, after); RSS ${mib(m.baselineKib)} before, peak ${mib(m.peakKib)} (${signedMib(m.peakKib - m.baselineKib)})${m.complete ? '' : ' (INCOMPLETE)'}`,
    ]),
  ];
  return table(['figure', 'measured'], rows);
}

function aliasRows(rows: readonly AliasRow[]): string[][] {
  return rows.map((a) => [
    `\`${a.alias}\``,
    a.what,
    String(a.requests),
    String(a.breakerSkips),
    a.inband > 0 ? `${a.errors} (${a.inband} in-band)` : String(a.errors),
    sources(a.bySource),
    ms(a.latency.p50),
    ms(a.latency.p99),
  ]);
}

/** The whole report: headline, per alias, dead vendors. */
export function renderReport(r: ChaosReport): string {
  const s = r.summary;
  return [
    `# Chaos run (${r.mode.name}), ${r.date}`,
    '',
    `Seed ${r.mode.seed}; \`wrangler dev\` on loopback; the load generator, the mock vendors and workerd share the machine's cores.`,
    '',
    headline(r),
    '',
    '## By alias',
    '',
    table(['alias', 'what misbehaves', 'requests', 'skipped an open breaker', 'errors', 'sources', 'p50', 'p99'], aliasRows(s.aliases)),
    '',
    '## Dead vendors',
    '',
    table(
      ['vendor', 'alias', 'requests', 'calls', 'breaker bound'],
      s.dead.map((d) => [d.provider, d.alias, String(d.requests), String(d.calls), String(d.bound)]),
    ),
    '',
  ].join('\n');
}
