// Child processes of the bench (mock vendor, worker host, wrangler dev): start, wait until ready, always stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { startWranglerDev as startSharedWranglerDev } from '../../test/support/wrangler-dev.ts';
import { BENCH_KEY, benchProxyConfig } from './config.ts';
import { INSTANCES, type Instance, ROOT } from './workers.ts';

interface Tracked {
  name: string;
  child: ChildProcess;
  /** Spawned as its own process group (wrangler: kill its workerd too). */
  group: boolean;
  /** The last few KB of stderr, for error messages. */
  stderr: string;
}

const children = new Set<Tracked>();

function signal(t: Tracked, sig: NodeJS.Signals): void {
  try {
    if (t.group && t.child.pid !== undefined) process.kill(-t.child.pid, sig);
    else t.child.kill(sig);
  } catch {
    // Already gone.
  }
}

function alive(t: Tracked): boolean {
  return t.child.exitCode === null && t.child.signalCode === null;
}

function launch(name: string, args: string[], options: { group?: boolean; env?: Record<string, string> } = {}): Tracked {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.group === true,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
  const tracked: Tracked = { name, child, group: options.group === true, stderr: '' };
  children.add(tracked);
  child.once('exit', () => children.delete(tracked));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    tracked.stderr = (tracked.stderr + d).slice(-4000);
  });
  return tracked;
}

/** Stops every child still running: SIGTERM (its whole group for wrangler), then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 4000): Promise<void> {
  await Promise.all(wranglers.splice(0).map((stop) => stop()));
  const left = [...children].filter(alive);
  for (const t of left) {
    t.child.stdin?.end();
    signal(t, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (left.some(alive) && Date.now() < deadline) await sleep(50);
  for (const t of left) {
    if (alive(t)) signal(t, 'SIGKILL');
    // wrangler's workerd may outlive its parent for a moment: sweep the group once more.
    if (t.group) signal(t, 'SIGKILL');
  }
}

/** Last resort on process exit (synchronous): SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const t of children) signal(t, 'SIGKILL');
}

/** Waits for a stdout line matching `match`; rejects if the child exits or `timeoutMs` passes first. */
function waitForLine(t: Tracked, lines: Interface, match: (line: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${t.name}: not ready after ${timeoutMs} ms\n${t.stderr}`)), timeoutMs);
    const onLine = (line: string): void => {
      if (match(line)) done(undefined, line);
    };
    const onExit = (code: number | null): void => done(new Error(`${t.name} exited (code ${code}) before it was ready\n${t.stderr}`));
    const done = (err: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      lines.off('line', onLine);
      t.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line as string);
    };
    lines.on('line', onLine);
    t.child.once('exit', onExit);
  });
}

function drainedLines(t: Tracked): Interface {
  // Output is read (so the child never blocks on a full pipe) and dropped unless a waiter wants it.
  const stdout = t.child.stdout;
  if (stdout === null) throw new Error(`${t.name}: no stdout`);
  return createInterface({ input: stdout });
}

/** A child process serving HTTP: its origin, and its pid for CPU readings. */
export interface Served {
  origin: string;
  pid: number;
}

/** Starts the mock vendor (`test/mock-provider/server.ts`) in its own Node process. */
export async function startMock(): Promise<Served> {
  const t = launch('mock provider', [
    '--import',
    pathToFileURL(path.join(ROOT, 'scripts', 'bench', 'exit-with-parent.ts')).href,
    path.join(ROOT, 'test', 'mock-provider', 'server.ts'),
    '--port',
    '0',
  ]);
  const lines = drainedLines(t);
  const line = await waitForLine(t, lines, (l) => l.includes('mock provider listening on'), 20_000);
  const url = /https?:\/\/\S+/.exec(line)?.[0];
  if (url === undefined) throw new Error(`mock provider: cannot read its URL from "${line}"`);
  return { origin: url, pid: t.child.pid ?? 0 };
}

/** Log lines each Worker of the host wrote so far. */
export type HostCounts = Record<Instance, number>;

/**
 * The worker host child, on workerd via Miniflare: the origin of each instance (the forwarder and
 * the proxy variants of workers.ts), the pid of each instance's workerd process (0 when unknown)
 * and the host's own pid (its Node process drains every workerd's output).
 */
export interface WorkerHost {
  urls: Record<Instance, string>;
  pids: Record<Instance, number>;
  hostPid: number;
  /** Log lines each Worker wrote so far (drained by the host, never printed). */
  counts(): Promise<HostCounts>;
}

interface HostReady {
  urls?: Partial<Record<Instance, string>>;
  pids?: Partial<Record<Instance, number>>;
  error?: string;
}

/** Starts `worker-host.ts` with the proxy bundle and the mock's origin; resolves once every instance answers. */
export async function startWorkerHost(bundlePath: string, mockOrigin: string): Promise<WorkerHost> {
  const t = launch('worker host', [path.join(ROOT, 'scripts', 'bench', 'worker-host.ts'), bundlePath, mockOrigin]);
  const lines = drainedLines(t);
  const first = JSON.parse(await waitForLine(t, lines, (l) => l.startsWith('{'), 90_000)) as HostReady;
  const missing = INSTANCES.filter((name) => !first.urls?.[name]);
  if (first.error !== undefined || missing.length > 0) {
    throw new Error(`worker host failed: ${first.error ?? `no URL for ${missing.join(', ')}`}`);
  }
  const pick = <T>(from: Partial<Record<Instance, T>> | undefined, fallback: T): Record<Instance, T> =>
    Object.fromEntries(INSTANCES.map((name) => [name, from?.[name] ?? fallback])) as Record<Instance, T>;
  return {
    urls: pick(first.urls, ''),
    pids: pick(first.pids, 0),
    hostPid: t.child.pid ?? 0,
    async counts() {
      const answer = waitForLine(t, lines, (l) => l.startsWith('{"counts"'), 5_000);
      t.child.stdin?.write('counts\n');
      return (JSON.parse(await answer) as { counts: HostCounts }).counts;
    },
  };
}

const wranglers: (() => Promise<void>)[] = [];

/**
 * Starts the proxy under `wrangler dev` with the bench config, through the same launcher as the
 * e2e tests and the demo (a built snapshot, wrangler.toml named, its own process group); the
 * config and key go in an env file under `workDir`. Resolves with its origin; `stopAll` stops it.
 */
export async function startWranglerDev(mockOrigin: string, workDir: string): Promise<string> {
  mkdirSync(workDir, { recursive: true });
  const envFile = path.join(workDir, 'bench.env');
  writeFileSync(envFile, `PROXY_CONFIG='${benchProxyConfig(mockOrigin)}'\nBENCH_KEY=${BENCH_KEY}\n`);
  const dev = await startSharedWranglerDev({ envFile, workDir, logFile: path.join(workDir, 'wrangler.log'), startTimeoutMs: 90_000 });
  wranglers.push(dev.stop);
  return dev.url;
}
