// Runs `wrangler dev` as a child process group: build, start, wait until it serves, capture output, stop.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTranscript } from './transcript.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

export interface WranglerOptions {
  /** A dotenv file with PROXY_CONFIG and the provider keys (kept out of argv and wrangler's banner). */
  envFile: string;
  /** Scratch directory: the built Worker and the local state go here. */
  workDir: string;
  /** Every byte wrangler writes to stdout and stderr goes here. */
  logFile: string;
  startTimeoutMs?: number;
}

export interface WranglerDev {
  url: string;
  /** Pid of the wrangler process (the leader of the process group). */
  pid: number;
  /** Wrangler's DevTools inspector port for the Worker (`ws://127.0.0.1:<port>/ws`). */
  inspectorPort: number;
  /**
   * Pid of the workerd process running the Worker, found in /proc (see `workerRuntimePid`);
   * undefined when there is none (not yet started, already stopped, or not Linux).
   */
  workerdPid(): number | undefined;
  /** Stops the whole process group (wrangler and workerd) and closes the log. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_CI_DISABLE_CONFIG_WATCHING: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

/**
 * Bundles the Worker once (`wrangler deploy --dry-run --outdir`), then serves that snapshot with
 * `wrangler dev --no-bundle` from the repo root (wrangler.toml still gives flags and bindings).
 * Serving a snapshot matters: `wrangler dev` on src/ rebuilds and restarts the Worker whenever a
 * source file changes, and requests in flight then fail with "Your worker restarted mid-request".
 * Resolves once wrangler printed "Ready on" and `/healthz` answers 200; rejects with the captured
 * output when it exits or times out first.
 */
export async function startWranglerDev(options: WranglerOptions): Promise<WranglerDev> {
  const log = outputLog(options.logFile);
  const outDir = join(options.workDir, 'dist');
  try {
    await build(outDir, log);
  } catch (error) {
    await log.close();
    throw error;
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    WRANGLER,
    'dev',
    join(outDir, 'index.js'),
    '--no-bundle',
    // Named explicitly: wrangler looks for its config next to the entry, and the snapshot lives
    // in a temp dir, so it would otherwise run with no bindings and no compatibility flags.
    '--config',
    join(ROOT, 'wrangler.toml'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--persist-to',
    join(options.workDir, 'state'),
    '--env-file',
    options.envFile,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  let output = '';
  const capture = (chunk: Buffer): void => {
    log.write(chunk);
    if (output.length < 100_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopGroup(child);
    await log.close();
  };
  try {
    await waitUntilReady(child, url, () => output, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = child.pid ?? -1;
  return { url, stop, pid, inspectorPort, workerdPid: () => workerRuntimePid(pid, port) };
}

/**
 * Wrangler runs two workerd processes: one serving `port` (its proxy layer, which forwards each
 * request) and one running the Worker itself. This is the pid of the second, the one whose
 * memory is the Worker's, among the descendants of the wrangler process `wranglerPid`.
 */
export function workerRuntimePid(wranglerPid: number, port: number): number | undefined {
  const workerds = descendants(wranglerPid).filter((p) => p.comm === 'workerd');
  const runtime = workerds.find((p) => {
    try {
      return !readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(`entry=127.0.0.1:${port}\0`);
    } catch {
      return false;
    }
  });
  return (runtime ?? workerds[0])?.pid;
}

/** Every live descendant of `root` with its command name, read from /proc/<pid>/stat (Linux). */
export function descendants(root: number): { pid: number; comm: string }[] {
  const parents = new Map<number, { pid: number; comm: string }[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const list = parents.get(ppid) ?? [];
    list.push({ pid: Number(entry), comm });
    parents.set(ppid, list);
  }
  const found: { pid: number; comm: string }[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of parents.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

interface OutputLog {
  write(chunk: Buffer): void;
  close(): Promise<void>;
}

/**
 * The instance's log file, also copied to the suite's transcript when one is kept
 * (test/support/transcript.ts): a test's own log may be deleted with its temp dir before the
 * suite's secret check reads everything every instance printed.
 */
function outputLog(path: string): OutputLog {
  const file = createWriteStream(path);
  const copy = openTranscript('wrangler');
  return {
    write(chunk) {
      file.write(chunk);
      copy?.write(chunk);
    },
    close: () =>
      Promise.all([
        new Promise<void>((resolve) => file.end(resolve)),
        new Promise<void>((resolve) => (copy === undefined ? resolve() : copy.end(resolve))),
      ]).then(() => undefined),
  };
}

/** Runs `wrangler deploy --dry-run` into `outDir`; its output goes to the same log. */
async function build(outDir: string, log: OutputLog): Promise<void> {
  const child = spawn(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: ENV,
  });
  let output = '';
  const capture = (chunk: Buffer): void => {
    log.write(chunk);
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (${code}):\n${output}`);
}

async function waitUntilReady(child: ChildProcess, url: string, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    if (output().includes('Ready on') && (await healthy(url))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev was not ready within ${timeoutMs} ms:\n${output()}`);
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { config?: string };
    if (body.config !== 'valid') throw new Error(`wrangler dev is up but PROXY_CONFIG is ${body.config}`);
    return res.status === 200;
  } catch (error) {
    if (error instanceof Error && error.message.includes('PROXY_CONFIG')) throw error;
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to the group, SIGKILL if it is still there after 5 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // workerd may outlive wrangler's exit for a moment; make sure nothing of the group is left.
  killGroup(child, 'SIGKILL');
}
