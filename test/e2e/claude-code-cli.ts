// The Claude Code CLI of the dev dependencies: finding a runnable binary, and one print-mode run kept offline, non-interactive and bounded in time.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The version pinned in package.json (devDependencies, exact). */
export const CLAUDE_CODE_VERSION = '2.1.332';

const BIN = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));
/** The package's own launcher for installs where its postinstall (which puts the native binary in place) did not run. */
const WRAPPER = fileURLToPath(new URL('../../node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs', import.meta.url));

/** A command that runs the CLI, or why none does here. */
export type ClaudeCode = { command: readonly string[]; version: string } | { skip: string };

/**
 * The first of `node_modules/.bin/claude` and `node cli-wrapper.cjs` that answers `--version`.
 * When neither does (no native build for this platform, the platform package not installed), the
 * reason, with what each said, for the tests to skip with.
 */
export function locateClaudeCode(): ClaudeCode {
  const tried: string[] = [];
  for (const command of [[BIN], [process.execPath, WRAPPER]] as const) {
    const [file, ...pre] = command;
    const run = spawnSync(file, [...pre, '--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (run.status === 0 && run.stdout.includes('(Claude Code)')) return { command, version: run.stdout.trim() };
    const said = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().slice(0, 400);
    tried.push(
      `\`${command.join(' ')} --version\`: ${run.error?.message ?? `exit ${run.status ?? run.signal}`}${said === '' ? '' : `: ${said}`}`,
    );
  }
  return { skip: `the Claude Code CLI does not run on this machine (${process.platform}-${process.arch}): ${tried.join('; ')}` };
}

export interface CliOptions {
  /** The proxy's origin: Claude Code appends `/v1/messages`. */
  baseUrl: string;
  apiKey: string;
  /** An empty HOME of the run's own. */
  home: string;
  /** The working directory the task's files go to. */
  cwd: string;
  timeoutMs: number;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `claude <args>` with only what test/fixtures/claude-code/README.md found it needs offline:
 * a bare PATH, an empty HOME, the proxy as ANTHROPIC_BASE_URL, non-essential traffic, telemetry,
 * error reports and updates off, stdin closed. And no retries of its own (CLAUDE_CODE_MAX_RETRIES=0):
 * otherwise a proxy error is retried with backoff for minutes with nothing printed (a 401 was sent
 * 7 times in 60 s), where now the run ends at once with the CLI's message, and an error the proxy
 * should not have answered cannot hide behind a retry. The CLI runs in a process group of its own,
 * killed whole at `timeoutMs`.
 */
export function runClaudeCode(cli: { command: readonly string[] }, args: readonly string[], options: CliOptions): Promise<CliRun> {
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TERM: 'dumb',
    HOME: options.home,
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  const [file, ...pre] = cli.command;
  const started = Date.now();
  const child = spawn(file ?? '', [...pre, ...args], { cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A run told in full, for a failing assertion's message. */
export function describeRun(run: CliRun): string {
  const end = run.timedOut ? `was killed after ${run.ms} ms (timeout)` : `exited ${run.code ?? run.signal} after ${run.ms} ms`;
  return `claude ${end}\n--- stderr\n${run.stderr}\n--- stdout\n${run.stdout}`;
}
