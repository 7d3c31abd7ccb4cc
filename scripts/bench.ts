// Benchmark: the same chat requests direct to a mock vendor, through a minimal forwarding Worker and through the proxy on
// workerd, in interleaved rounds, with each target's CPU time per request read from its workerd process; what each
// optional layer costs against the same bundle without it; a cache hit; and the proxy under wrangler dev.
//
// Usage: npm run bench [-- --quick]   (--quick: short slices and 5 rounds, for checking the harness in about a minute)
// Prints the tables and writes them to scripts/bench/last-results.md (a full run only). Exits 1 only on errors
// (non-200 answers, broken streams, a wrong x-proxy-source / x-proxy-cache, a child that fails to
// start), never on a missed target.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuAccounting, counterCheck } from './bench/accounting.ts';
import { CpuMeter } from './bench/cpu.ts';
import { type Measurement, measure, measureInterleaved } from './bench/interleave.ts';
import { environment, method, type RunSettings } from './bench/method.ts';
import { benchTargets, CONCURRENCY, measuredIn, spec } from './bench/plan.ts';
import { killAllNow, startMock, startWorkerHost, startWranglerDev, stopAll } from './bench/processes.ts';
import { renderReport } from './bench/report.ts';
import { type Row, type Target, toRow, totalErrors } from './bench/rows.ts';
import { measureBundle } from './bench/size.ts';
import { buildProxyBundle, ROOT } from './bench/workers.ts';

const quick = process.argv.includes('--quick');
const version = (pkg: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const RUN: RunSettings = {
  workerd: `workerd ${version('workerd')} via Miniflare ${version('miniflare')} API`,
  wrangler: `wrangler ${version('wrangler')} dev`,
  rounds: quick ? 5 : 7,
  warmup: quick ? { maxRequests: 100, maxMs: 300 } : { maxRequests: 400, maxMs: 1000 },
  // Twice as long at c=64, where a streamed answer takes a few hundred ms: a slice should hold many of them.
  slices: quick
    ? { 1: { maxRequests: 150, maxMs: 150 }, 16: { maxRequests: 150, maxMs: 150 }, 64: { maxRequests: 300, maxMs: 300 } }
    : { 1: { maxRequests: 1000, maxMs: 800 }, 16: { maxRequests: 1000, maxMs: 800 }, 64: { maxRequests: 2000, maxMs: 1600 } },
  settleMs: 10,
  dev: quick ? { maxRequests: 200, maxMs: 1000 } : { maxRequests: 1000, maxMs: 5000 },
};
const RESULTS = path.join(ROOT, 'scripts', 'bench', 'last-results.md');

function logRow(row: Row): void {
  const ttft = row.ttft ? `, TTFT p50 ${row.ttft.p50.toFixed(2)} ms` : '';
  const cpu = row.cpu?.workerd === undefined ? '' : `, CPU ${row.cpu.workerd.toFixed(3)} ms/req`;
  const errors = row.errors > 0 ? `, ${row.errors} ERRORS` : '';
  const mode = row.stream ? 'stream' : 'json  ';
  const c = String(row.concurrency).padEnd(2);
  console.error(
    `  ${row.target.label.padEnd(28)} ${mode} c=${c} ${row.rps.toFixed(0).padStart(6)} req/s, p50 ${row.latency.p50.toFixed(2)} ms${ttft}${cpu}${errors}`,
  );
}

/** Sends `s` once on a fresh connection. */
const single = (target: Target, stream: boolean, expect?: Record<string, string>): Promise<Measurement> => {
  const s = spec(target, stream);
  return measure(expect === undefined ? s : { ...s, expect }, 1, { maxRequests: 0, maxMs: 0 }, { maxRequests: 1, maxMs: 10_000 });
};

/** One request of each kind to `target`, headers checked; throws with what came back when it is not a healthy answer. */
async function preflight(target: Target): Promise<void> {
  for (const stream of [false, true]) {
    const m = await single(target, stream);
    if (m.errors > 0) throw new Error(`${target.label} (${target.origin}) does not answer properly: ${m.errorSamples.join(' / ')}`);
  }
}

/**
 * Fills the cache entry of (e) with one request answered by the provider, then waits until the
 * same request is a HIT: the proxy writes the entry in the background (waitUntil) after answering.
 * A plain and a streamed request share the entry.
 */
async function fillCache(target: Target): Promise<void> {
  const fill = await single(target, false, { 'x-proxy-cache': 'MISS', 'x-proxy-source': 'provider' });
  if (fill.errors > 0) throw new Error(`${target.label}: the request filling the cache failed: ${fill.errorSamples.join(' / ')}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await single(target, false);
    if (m.errors === 0) return;
    if (Date.now() > deadline) throw new Error(`${target.label}: no cache HIT within 10 s of filling: ${m.errorSamples.join(' / ')}`);
    await sleep(20);
  }
}

/** Every phase (mode × concurrency), its targets in interleaved rounds; rows in phase order. */
async function runPhases(targets: Target[], meter: CpuMeter, accounting: CpuAccounting): Promise<Row[]> {
  const rows: Row[] = [];
  for (const stream of [false, true]) {
    for (const c of CONCURRENCY) {
      const measured = targets.filter((t) => measuredIn(t, stream, c));
      const results = await measureInterleaved(
        measured.map((t) => spec(t, stream)),
        { concurrency: c, warmup: RUN.warmup, slice: RUN.slices[c], rounds: RUN.rounds, meter, settleMs: RUN.settleMs },
      );
      for (const [i, t] of measured.entries()) {
        const m = results[i] as Measurement;
        accounting.add(t, m.slices);
        const row = toRow(t, stream, c, m);
        rows.push(row);
        logRow(row);
      }
    }
  }
  return rows;
}

/** (d), a different setup, measured alone after the rest; its failure is reported, and fails the run. */
async function runWranglerDev(mockOrigin: string, tmp: string, rows: Row[]): Promise<string | undefined> {
  try {
    console.error('starting wrangler dev …');
    const origin = await startWranglerDev(mockOrigin, path.join(tmp, 'wrangler-state'));
    const dev: Target = { id: 'd', label: '(d) proxy under wrangler dev', runtime: RUN.wrangler, origin };
    await preflight(dev);
    for (const stream of [false, true]) {
      for (const c of [1, 16]) {
        const row = toRow(dev, stream, c, await measure(spec(dev, stream), c, RUN.warmup, RUN.dev));
        rows.push(row);
        logRow(row);
      }
    }
    return undefined;
  } catch (err) {
    const failure = err instanceof Error ? err.message : String(err);
    console.error(`wrangler dev phase failed: ${failure}`);
    return failure;
  }
}

/** What the run itself observed: the CPU checks, the background load, the log lines drained, the kind of run. */
function runNotes(seen: {
  cpu: boolean;
  accounting: CpuAccounting;
  counters: string[];
  loadBefore: number;
  logs: Record<string, number>;
  devFailure: string | undefined;
}): string[] {
  const cpu = seen.cpu
    ? [
        `CPU outside the slices of a workerd's own targets (counted by no figure): ${seen.accounting.outside().join(', ')}`,
        `CPU over the whole measured part, per-thread ns sum vs utime + stime: ${seen.counters.join(', ')}`,
      ]
    : ['**no CPU figures: /proc cannot be read on this system**'];
  const logs = Object.entries(seen.logs).map(([name, n]) => `${name} ${n}`);
  return [
    ...cpu,
    `background load (1-min load average) before the run: ${seen.loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}; other processes on these cores skew figures, so compare rows of the same run`,
    `log lines drained from workerd by the Miniflare host (counted, never printed), by instance: ${logs.join(', ')}`,
    quick ? '**--quick run: short slices and 5 rounds; figures are noisier**' : 'full run (not --quick)',
    ...(seen.devFailure === undefined ? [] : [`**(d) wrangler dev failed: ${seen.devFailure.split('\n')[0]}**`]),
  ];
}

/** Prints the report, and writes it to RESULTS after a full run. */
async function publish(report: string): Promise<void> {
  console.log(`\n${report}`);
  if (quick) {
    console.error(`--quick: not written to ${path.relative(ROOT, RESULTS)}, which keeps the last full run`);
    return;
  }
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, report);
  console.error(`written to ${path.relative(ROOT, RESULTS)}`);
}

async function main(tmp: string): Promise<number> {
  const loadBefore = loadavg()[0] ?? 0;
  console.error('building the proxy with wrangler deploy --dry-run …');
  const bundle = await buildProxyBundle(path.join(tmp, 'build'));
  const size = measureBundle(bundle);
  const mock = await startMock();
  const host = await startWorkerHost(bundle, mock.origin);
  const workerdPids = Object.fromEntries(Object.entries(host.pids).filter(([, pid]) => pid > 0));
  const meter = new CpuMeter({ generator: process.pid, mock: mock.pid, host: host.hostPid, ...workerdPids });
  const targets = benchTargets(mock.origin, host, RUN.workerd, `Node ${process.versions.node}`);
  await fillCache(targets.find((t) => t.id === 'e') as Target);
  for (const t of targets) await preflight(t);

  const accounting = new CpuAccounting();
  const first = meter.snapshot();
  const rows = await runPhases(targets, meter, accounting);
  const counters = counterCheck(first, meter.snapshot());
  const logs = await host.counts();
  const devFailure = await runWranglerDev(mock.origin, tmp, rows);

  const notes = runNotes({ cpu: meter.available(), accounting, counters, loadBefore, logs, devFailure });
  const report = renderReport({ rows, size, rounds: RUN.rounds, environment: environment(RUN), method: method(RUN), notes });
  await publish(report);
  const errors = totalErrors(rows);
  if (errors > 0) console.error(`${errors} requests failed (see the Errors section)`);
  return errors > 0 || devFailure !== undefined ? 1 : 0;
}

const tmp = await mkdtemp(path.join(tmpdir(), 'proxy-bench-'));
let exiting = false;
async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await stopAll();
    await rm(tmp, { recursive: true, force: true });
  }
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(130));
process.once('SIGTERM', () => void shutdown(143));
process.on('exit', killAllNow);
try {
  process.exitCode = await main(tmp);
} catch (err) {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
}
await shutdown(process.exitCode ?? 0);
