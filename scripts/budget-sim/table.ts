// The budget simulation's results as a markdown table, one row per scenario.
import type { CallKind, Metrics } from './metrics.ts';
import type { RunResult } from './run.ts';
import { MEAN_USE } from './workload.ts';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const perSecond = (n: number): string => (n >= 100 ? count(n) : n.toFixed(1));
const percent = (share: number): string => (share === 0 ? '0%' : share < 0.001 ? '< 0.1%' : `${(share * 100).toFixed(1)}%`);

function tokens(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return count(n);
}

function duration(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}

const sum = (calls: Record<CallKind, number>, kinds: CallKind[]): number => kinds.reduce((n, k) => n + calls[k], 0);

/** Object calls a second in the steady window: leases asked (on a request's path + in the background), reports + settles, total. */
function calls(m: Metrics): string[] {
  const seconds = (m.window.until - m.window.from) / 1000;
  const c = m.steady.calls;
  const reserve = `${perSecond(c.reserveWait / seconds)} + ${perSecond(c.reserveRenew / seconds)}`;
  const report = `${perSecond(c.report / seconds)} + ${perSecond(c.settle / seconds)}`;
  const total = sum(c, ['reserveWait', 'reserveRenew', 'report', 'settle']);
  return [reserve, report, `${perSecond(total / seconds)} (${perSecond((total / Math.max(1, m.steady.arrived)) * 1000)})`];
}

function early(r: RunResult): string[] {
  const m = r.metrics;
  const refused = m.refused.memo + m.refused.object;
  const room = m.early === 0 ? '—' : `${tokens(m.worstEarlyRoom)} (${duration(m.worstEarlyRoom / (r.scenario.rate * MEAN_USE))} of use)`;
  return [`${count(m.early)} of ${count(refused)}`, room];
}

function exactness(r: RunResult): string {
  const m = r.metrics;
  const over = m.trueSpent - m.budget;
  const past = over > 0 ? `${tokens(over)} (${duration(over / (r.scenario.rate * MEAN_USE))} of use)` : 'none';
  return m.unreserved === 0 ? past : `${past}; ${count(m.unreserved)} sent unreserved`;
}

/** A markdown table. */
function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}

const client = (s: RunResult['scenario']): string[] => [
  `${count(s.rate)} req/s`,
  `${count(s.isolates)} (${perSecond(s.rate / s.isolates)} req/s each)`,
];

const waited = (m: Metrics): string =>
  `${percent(m.steady.waited / Math.max(1, m.steady.arrived))} (run: ${percent(m.waited / Math.max(1, m.arrived))})`;

/** Runs from the start of the day (the budget far from spent): what leases cost the object and the requests. */
export function costTable(results: RunResult[]): string[] {
  const head = [
    'client',
    'isolates',
    'simulated',
    'leases asked /s (on path + background)',
    'reports + settles /s',
    'object calls /s (per 1,000 requests)',
    'requests that waited on the object',
    'sent unreserved',
  ];
  const rows = results.map(({ scenario: s, metrics: m }) => [
    ...client(s),
    `${duration(s.seconds)}, ${count(m.arrived)} requests`,
    ...calls(m),
    waited(m),
    count(m.unreserved),
  ]);
  return table(head, rows);
}

/** Runs in which the budget runs out: how early leases make it refuse, and whether it holds. */
export function refusalTable(results: RunResult[]): string[] {
  const head = [
    'client',
    'isolates',
    'simulated',
    'budget',
    'object calls /s (per 1,000 requests)',
    'requests that waited on the object',
    'refused early',
    'largest unused room at a refusal',
    'spent past the budget',
  ];
  const rows = results.map((r) => {
    const { scenario: s, metrics: m } = r;
    return [
      ...client(s),
      `${duration(s.seconds)}, ${count(m.arrived)} requests`,
      `${duration(s.runsOut?.leftSeconds ?? 0)} of use left after ${duration(s.runsOut?.atSeconds ?? 0)}`,
      calls(m)[2] ?? '',
      waited(m),
      ...early(r),
      exactness(r),
    ];
  });
  return table(head, rows);
}
