// Benchmark: the same chat requests direct to a mock vendor, through a minimal forwarding Worker, through the proxy
// (response cache off), under wrangler dev (cache off), answered from the proxy's KV cache; and what three features
// cost, each against the same bundle without it: circuit breakers, a weighted draw of the first target, a client budget.
//
// Usage: npm run bench [-- --quick]   (--quick: a fifth of the requests, for checking the harness)
// Prints the tables and writes them to scripts/bench/last-results.md. Exits 1 only on errors
// (non-200 answers, broken streams, a wrong x-proxy-source / x-proxy-cache, a child that fails to
// start), never on a missed target.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Measurement, measure, measureInterleaved, type PhaseLimits, type RequestSpec } from './bench/load.ts';
import { killAllNow, startMock, startWorkerHost, startWranglerDev, stopAll } from './bench/processes.ts';
import { renderReport } from './bench/report.ts';
import { type Row, type Target, type TargetId, toRow, totalErrors } from './bench/rows.ts';
import { measureBundle } from './bench/size.ts';
import { BUDGET_TOKENS, buildProxyBundle, CLIENT_KEYS, ROOT, WEIGHTED_ALIAS } from './bench/workers.ts';

const quick = process.argv.includes('--quick');
const scale = (n: number): number => (quick ? Math.max(100, Math.round(n / 5)) : n);
const WARMUP: PhaseLimits = { maxRequests: scale(400), maxMs: 1500 };
const MEASURE: PhaseLimits = { maxRequests: scale(3000), maxMs: 6000 };
const DEV_MEASURE: PhaseLimits = { maxRequests: scale(1000), maxMs: 5000 };
const CONCURRENCY = [1, 16, 64];
/** Slices per measured phase, taken in turns by every target measured in it. */
const ROUNDS = 4;
/**
 * Targets that serve only a cost figure (report.ts COSTS), so they are measured non-streaming
 * only, at the concurrencies it reads: fewer phases keep the run short.
 */
const JSON_ONLY: Partial<Record<TargetId, readonly number[]>> = { f: [1, 16, 64], g: [1, 16], h: [1, 16, 64], i: [1, 16, 64] };
const DEV_CONCURRENCY = [1, 16];
const RESULTS = path.join(ROOT, 'scripts', 'bench', 'last-results.md');

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const WORKERD = `workerd ${version('workerd')} via Miniflare ${version('miniflare')} API`;

/** Headers every answer of a target must carry: the proxy rows come from the provider, (e) from the cache. */
const EXPECT: Partial<Record<TargetId, Record<string, string>>> = {
  c: { 'x-proxy-source': 'provider' },
  d: { 'x-proxy-source': 'provider' },
  e: { 'x-proxy-cache': 'HIT', 'x-proxy-source': 'cache' },
  f: { 'x-proxy-source': 'provider' },
  g: { 'x-proxy-source': 'provider' },
  h: { 'x-proxy-source': 'provider' },
  i: { 'x-proxy-source': 'provider' },
};

/** What a target's requests name when not alias `bench` and bearer `bench` (ignored by `auth.mode = "none"`). */
const ASK: Partial<Record<TargetId, { model?: string; key?: string }>> = {
  g: { model: WEIGHTED_ALIAS },
  h: { key: CLIENT_KEYS.free },
  i: { key: CLIENT_KEYS.budget },
};

function spec(target: Target, stream: boolean): RequestSpec {
  const { model = 'bench', key = 'bench' } = ASK[target.id] ?? {};
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }], stream });
  const out: RequestSpec = {
    origin: target.origin,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
    stream,
  };
  const expect = EXPECT[target.id];
  if (expect !== undefined) out.expect = expect;
  return out;
}

function logRow(row: Row): void {
  const ttft = row.ttft ? `, TTFT p50 ${row.ttft.p50.toFixed(2)} ms` : '';
  const errors = row.errors > 0 ? `, ${row.errors} ERRORS` : '';
  const mode = row.stream ? 'stream' : 'json  ';
  const c = String(row.concurrency).padEnd(2);
  console.error(
    `  ${row.target.label.padEnd(28)} ${mode} c=${c} ${row.rps.toFixed(0).padStart(6)} req/s, p50 ${row.latency.p50.toFixed(2)} ms${ttft}${errors}`,
  );
}

/** Sends `s` once on a fresh connection. */
const single = (s: RequestSpec): Promise<Measurement> => measure(s, 1, { maxRequests: 0, maxMs: 0 }, { maxRequests: 1, maxMs: 10_000 });

/** One request of each kind to `target`, headers checked; throws with what came back when it is not a healthy answer. */
async function preflight(target: Target): Promise<void> {
  for (const stream of [false, true]) {
    const m = await single(spec(target, stream));
    if (m.errors > 0) throw new Error(`${target.label} (${target.origin}) does not answer properly: ${m.errorSamples.join(' / ')}`);
  }
}

/**
 * Fills the cache entry of (e) with one request answered by the provider, then waits until the
 * same request is a HIT: the proxy writes the entry in the background (waitUntil) after answering.
 * A plain and a streamed request share the entry.
 */
async function fillCache(target: Target): Promise<void> {
  const fill = await single({ ...spec(target, false), expect: { 'x-proxy-cache': 'MISS', 'x-proxy-source': 'provider' } });
  if (fill.errors > 0) throw new Error(`${target.label}: the request filling the cache failed: ${fill.errorSamples.join(' / ')}`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await single(spec(target, false));
    if (m.errors === 0) return;
    if (Date.now() > deadline) throw new Error(`${target.label}: no cache HIT within 10 s of filling: ${m.errorSamples.join(' / ')}`);
    await sleep(20);
  }
}

async function main(tmp: string): Promise<number> {
  const loadBefore = loadavg()[0] ?? 0;
  console.error('building the proxy with wrangler deploy --dry-run …');
  const bundle = await buildProxyBundle(path.join(tmp, 'build'));
  const size = measureBundle(bundle);
  const mock = await startMock();
  const host = await startWorkerHost(bundle, mock);
  const targets: Target[] = [
    { id: 'a', label: '(a) mock vendor, direct', runtime: `Node ${process.versions.node} (mock, no Worker)`, origin: mock },
    { id: 'b', label: '(b) minimal forwarder', runtime: WORKERD, origin: host.forwarder },
    { id: 'c', label: '(c) proxy', runtime: WORKERD, origin: host.proxy },
    { id: 'e', label: '(e) proxy, cache hit', runtime: WORKERD, origin: host.proxyCached },
    { id: 'f', label: '(f) proxy, breakers off', runtime: WORKERD, origin: host.proxyNoBreakers },
    { id: 'g', label: '(g) proxy, balance weighted', runtime: WORKERD, origin: host.proxy },
    { id: 'h', label: '(h) proxy, key, no limits', runtime: WORKERD, origin: host.proxyKeys },
    { id: 'i', label: '(i) proxy, key with budget', runtime: WORKERD, origin: host.proxyKeys },
  ];
  await fillCache(targets.find((t) => t.id === 'e') as Target);
  for (const t of targets) await preflight(t);
  const rows: Row[] = [];
  // The targets of each mode and concurrency take turns in slices, so background load hits all alike.
  const measuredAt = (t: Target, stream: boolean, c: number): boolean => {
    const only = JSON_ONLY[t.id];
    return only === undefined || (!stream && only.includes(c));
  };
  for (const stream of [false, true]) {
    for (const c of CONCURRENCY) {
      const measuredTargets = targets.filter((t) => measuredAt(t, stream, c));
      const measured = await measureInterleaved(
        measuredTargets.map((t) => spec(t, stream)),
        c,
        WARMUP,
        MEASURE,
        ROUNDS,
      );
      for (const [i, t] of measuredTargets.entries()) {
        const row = toRow(t, stream, c, measured[i] as Measurement);
        rows.push(row);
        logRow(row);
      }
    }
  }
  const logs = await host.counts();
  const requestsOf = (id: TargetId): number => rows.filter((r) => r.target.id === id).reduce((n, r) => n + r.requests, 0);

  // (d) is a different setup; if it cannot start, (a)–(c) are still reported and the run counts as failed.
  let devFailure: string | undefined;
  try {
    console.error('starting wrangler dev …');
    const dev: Target = {
      id: 'd',
      label: '(d) proxy under wrangler dev',
      runtime: `wrangler ${version('wrangler')} dev (different runtime setup)`,
      origin: await startWranglerDev(mock, path.join(tmp, 'wrangler-state')),
    };
    await preflight(dev);
    for (const stream of [false, true]) {
      for (const c of DEV_CONCURRENCY) {
        const row = toRow(dev, stream, c, await measure(spec(dev, stream), c, WARMUP, DEV_MEASURE));
        rows.push(row);
        logRow(row);
      }
    }
  } catch (err) {
    devFailure = err instanceof Error ? err.message : String(err);
    console.error(`wrangler dev phase failed: ${devFailure}`);
  }

  const report = renderReport({
    rows,
    size,
    environment: [
      `${new Date().toISOString()}, Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; load generator, mock vendor and workerd share these cores`,
      `(a) straight to the mock vendor (its own Node process); (b), (c), (e), (f), (g), (h) and (i) on ${WORKERD}, compatibility date and flags from wrangler.toml; (d) \`wrangler dev\` child process`,
      'request: one user message, model alias `bench` → one OpenAI-protocol target on the mock; answer: 5 content chunks',
      'cache: (c) and (d) run with `"cache": {"enabled": false}` in the bench PROXY_CONFIG, so they measure the provider path; every answer must carry `x-proxy-source: provider`',
      '(f): a third Miniflare instance of the same bundle, cache off, without the `BREAKER` Durable Object binding, so the proxy skips the circuit breakers; (c) has the binding as wrangler.toml declares it (SQLite-backed, Miniflare temporary storage): each request checks the isolate-local breaker copy and reports its outcome to the object of its provider through waitUntil',
      '(e): a second Miniflare instance of the same bundle with `"cache": {"enabled": true}` and KV binding `CACHE` (Miniflare temporary storage); one request fills the entry, then every answer must carry `x-proxy-cache: HIT` and `x-proxy-source: cache`; a streamed hit is the stored completion replayed as SSE (role, one content chunk, finish, `[DONE]`)',
      `(g): the instance of (c), alias \`${WEIGHTED_ALIAS}\`: \`"balance": "weighted"\` over two targets on the mock (providers \`mock\` and \`mock2\`, same origin, weights 1 and 1), so each request checks both targets' key pools and breaker copies and draws its first target, and half the answers go through each provider (outcomes reported to two breaker objects); (c)'s alias \`bench\` has one target, routed without a draw. Target: the draw adds < 0.05 ms at p50 (c=1, non-streaming); throughput at c=16 for reference`,
      `(h), (i): a fourth Miniflare instance of the same bundle, cache off, \`auth.mode = "keys"\`, each request carrying its client key as \`Authorization: Bearer\` (matched by SHA-256): (h)'s key has no limits; (i)'s has \`dailyTokens\` and \`tpm\` of ${BUDGET_TOKENS.toLocaleString('en-US')} tokens (never reached), so each request reserves its worst case (estimated input + the output cap \`limits.maxTokens\`, 8192 by default) in its day and its minute from leases the isolate holds at the \`BUDGET\` Durable Objects (an object call only when no lease has room; renewals and use reports in the background) and settles it when answered. (h) and (i) share the isolate, so (i)'s background budget calls may land in (h)'s slices; a refused request would be an error (not 200, no \`x-proxy-source: provider\`). Target: the budget check adds < 1 ms at p50 (c=1, non-streaming); throughput at c=16 and 64 for reference`,
    ],
    limits: [
      'closed loop: c keep-alive connections (undici Pool), each sends its next request when the previous answer is fully read',
      `each phase: warm-up of ≤ ${WARMUP.maxRequests} requests or ≤ ${WARMUP.maxMs} ms (discarded), then ≤ ${MEASURE.maxRequests} requests or ≤ ${MEASURE.maxMs} ms per server, in ${ROUNDS} slices taken in turns by (a), (b), (c), (e) and, non-streaming only, (f), (g) (c=1 and 16), (h) and (i), in reverse order every other round (a … i i … a); wrangler dev: ≤ ${DEV_MEASURE.maxRequests} requests or ≤ ${DEV_MEASURE.maxMs} ms in one go`,
      'p50/p99: nearest rank over successful requests; req/s: successful requests / (last completion − first send); an answer without the expected x-proxy-* headers counts as an error, not a sample',
      '(b) returns the upstream Response untouched, so workerd pipes its body natively; a Worker that reads the stream in JS (as the proxy must, to relay SSE) starts from a higher floor',
      "(e) pays Miniflare's local KV: each `get` is a call to a Durable Object in the same workerd, backed by SQLite and blob files in a temp dir, not Cloudflare's edge KV cache; the request key is a SHA-256 of the canonical request",
    ],
    notes: [
      `background load (1-min load average) before the run: ${loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}; other processes on these 2 cores skew figures, so compare rows of the same run`,
      `proxy log lines drained from workerd by the Miniflare host (counted, never printed): (c) and (g) ${logs.proxy} for ${requestsOf('c') + requestsOf('g')} measured requests plus warm-ups, (e) ${logs.proxyCached} for ${requestsOf('e')}, (f) ${logs.proxyNoBreakers} for ${requestsOf('f')}, (h) and (i) ${logs.proxyKeys} for ${requestsOf('h') + requestsOf('i')}`,
      quick ? '**--quick run: a fifth of the requests; figures are noisier**' : 'full run (not --quick)',
      ...(devFailure === undefined ? [] : [`**(d) wrangler dev failed: ${devFailure.split('\n')[0]}**`]),
    ],
  });
  console.log(`\n${report}`);
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, report);
  console.error(`written to ${path.relative(ROOT, RESULTS)}`);
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
