// Child process hosting the Miniflare instances, so draining workerd's output never runs on the load generator's event loop.
//
// Usage: node scripts/bench/worker-host.ts <bundle.js> <mock origin>
// Prints one JSON line `{"urls": {"forwarder": url, "proxy": url, ...}, "pids": {"forwarder": pid, ...}}` (every
// instance of workers.ts INSTANCES, each its own workerd process, whose pid the bench reads CPU time from), or
// `{"error": msg}`; then answers the stdin line `counts` with `{"counts": {"forwarder": n, ...}}` (log lines
// drained so far). Disposes every instance and exits on SIGTERM, SIGINT, or when stdin closes (parent gone).
import { createInterface } from 'node:readline';
import { childPids } from './cpu.ts';
import { type Instance, PROXY_VARIANTS, type RunningWorker, startForwarderWorker, startProxyWorker } from './workers.ts';

const running: RunningWorker[] = [];
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= Promise.allSettled(running.map((w) => w.dispose())).then(() => process.exit(code));
  return stopping;
}

function reply(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The workerd child that appeared since `known` (Miniflare spawns one per instance); 0 when /proc cannot tell. */
function newWorkerd(known: Set<number>): number {
  let found = 0;
  try {
    for (const pid of childPids(process.pid, 'workerd')) {
      if (!known.has(pid)) found = pid;
      known.add(pid);
    }
  } catch {
    // No /proc: no CPU figures, the bench still runs.
  }
  return found;
}

process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));

const [bundlePath, mockOrigin] = process.argv.slice(2);
try {
  if (bundlePath === undefined || mockOrigin === undefined) throw new Error('usage: worker-host.ts <bundle.js> <mock origin>');
  const starts: [Instance, () => Promise<RunningWorker>][] = [
    ['forwarder', () => startForwarderWorker(mockOrigin)],
    ...Object.entries(PROXY_VARIANTS).map(
      ([name, variant]) =>
        [name as Instance, () => startProxyWorker(bundlePath, mockOrigin, variant)] as [Instance, () => Promise<RunningWorker>],
    ),
  ];
  const workers: [Instance, RunningWorker][] = [];
  const pids: Partial<Record<Instance, number>> = {};
  const known = new Set<number>();
  newWorkerd(known);
  // One at a time, so each new workerd child belongs to the instance just started.
  for (const [name, startOne] of starts) {
    const worker = await startOne();
    running.push(worker);
    workers.push([name, worker]);
    pids[name] = newWorkerd(known);
  }
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'counts') reply({ counts: Object.fromEntries(workers.map(([name, w]) => [name, w.logLines()])) });
  });
  lines.on('close', () => void stop(0));
  reply({ urls: Object.fromEntries(workers.map(([name, w]) => [name, w.url])), pids });
} catch (err) {
  reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  await stop(1);
}
