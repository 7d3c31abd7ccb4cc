// Child process hosting the Miniflare instances, so draining workerd's output never runs on the load generator's event loop.
//
// Usage: node scripts/bench/worker-host.ts <bundle.js> <mock origin>
// Prints one JSON line `{"forwarder": url, "proxy": url, "proxyCached": url, "proxyNoBreakers": url, "proxyKeys": url}`
// (or `{"error": msg}`), then answers the stdin line `counts` with `{"counts": {"forwarder": n, ...}}`
// (log lines drained so far). `proxy` runs with the response cache off, `proxyCached` with it on,
// `proxyNoBreakers` like `proxy` but without the BREAKER Durable Object binding (breakers off),
// `proxyKeys` like `proxy` but with `auth.mode = "keys"` (a client key without limits, one with budgets).
// Disposes every instance and exits on SIGTERM, SIGINT, or when stdin closes (parent gone).
import { createInterface } from 'node:readline';
import { type Instance, type RunningWorker, startForwarderWorker, startProxyWorker } from './workers.ts';

const running: RunningWorker[] = [];
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= Promise.allSettled(running.map((w) => w.dispose())).then(() => process.exit(code));
  return stopping;
}

function reply(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));

const [bundlePath, mockOrigin] = process.argv.slice(2);
try {
  if (bundlePath === undefined || mockOrigin === undefined) throw new Error('usage: worker-host.ts <bundle.js> <mock origin>');
  const starts: Record<Instance, () => Promise<RunningWorker>> = {
    forwarder: () => startForwarderWorker(mockOrigin),
    proxy: () => startProxyWorker(bundlePath, mockOrigin),
    proxyCached: () => startProxyWorker(bundlePath, mockOrigin, { cache: true, breakers: true }),
    proxyNoBreakers: () => startProxyWorker(bundlePath, mockOrigin, { cache: false, breakers: false }),
    proxyKeys: () => startProxyWorker(bundlePath, mockOrigin, { cache: false, breakers: true, clientKeys: true }),
  };
  const workers: [string, RunningWorker][] = [];
  for (const [name, startOne] of Object.entries(starts)) {
    const worker = await startOne();
    running.push(worker);
    workers.push([name, worker]);
  }
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'counts') reply({ counts: Object.fromEntries(workers.map(([name, w]) => [name, w.logLines()])) });
  });
  lines.on('close', () => void stop(0));
  reply(Object.fromEntries(workers.map(([name, w]) => [name, w.url])));
} catch (err) {
  reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  await stop(1);
}
