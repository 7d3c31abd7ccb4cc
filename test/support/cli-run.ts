// A command-line program as the e2e tests run one: found by its `--version`, then one run in a process group of its own, output captured, killed whole at a time limit.
import { spawn, spawnSync } from 'node:child_process';

/** A command that runs the CLI (argv before the CLI's own arguments) and the version it reported, or why none runs here. */
export type CliLocation = { command: readonly string[]; version: string } | { skip: string };

/**
 * The first of `candidates` whose `--version` exits 0 with output that `answers` accepts. When none
 * does (no native build for this platform, an optional platform package not installed), the reason,
 * naming `name` and what each candidate said, for the tests to skip with.
 */
export function locateCli(name: string, candidates: readonly (readonly string[])[], answers: (stdout: string) => boolean): CliLocation {
  const tried: string[] = [];
  for (const command of candidates) {
    const [file = '', ...pre] = command;
    const run = spawnSync(file, [...pre, '--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (run.status === 0 && answers(run.stdout)) return { command, version: run.stdout.trim() };
    const said = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().slice(0, 400);
    tried.push(
      `\`${command.join(' ')} --version\`: ${run.error?.message ?? `exit ${run.status ?? run.signal}`}${said === '' ? '' : `: ${said}`}`,
    );
  }
  return { skip: `${name} does not run on this machine (${process.platform}-${process.arch}): ${tried.join('; ')}` };
}

/** Where and how long one run goes: its working directory, its whole environment (nothing of this process leaks in), its time limit. */
export interface CliRunOptions {
  cwd: string;
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
}

/** How a run ended and what it printed. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `<cli.command> <args>` with stdin closed, in a process group of its own (`detached`), so that
 * the whole group, with whatever the CLI started (a sandbox, a shell, a native binary behind a
 * launcher), is killed at `timeoutMs` and again once the CLI exits. Never rejects: a spawn failure
 * ends up in `stderr`.
 */
export function runCli(cli: { command: readonly string[] }, args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  const [file, ...pre] = cli.command;
  const started = Date.now();
  const child = spawn(file ?? '', [...pre, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const kill = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      stderr += `\n(spawn failed: ${error.message})`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      kill();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** A run of `program` told in full, for a failing assertion's message. */
export function describeRun(program: string, run: CliRun): string {
  const end = run.timedOut ? `was killed after ${run.ms} ms (timeout)` : `exited ${run.code ?? run.signal} after ${run.ms} ms`;
  return `${program} ${end}\n--- stderr\n${run.stderr}\n--- stdout\n${run.stdout}`;
}
