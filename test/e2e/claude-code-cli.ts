// The Claude Code CLI of the dev dependencies: finding a runnable binary, and one print-mode run kept offline, non-interactive and bounded in time.
import { fileURLToPath } from 'node:url';
import { type CliLocation, type CliRun, locateCli, runCli } from '../support/cli-run.ts';

/** The version pinned in package.json (devDependencies, exact). */
export const CLAUDE_CODE_VERSION = '2.1.332';

const BIN = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));
/** The package's own launcher for installs where its postinstall (which puts the native binary in place) did not run. */
const WRAPPER = fileURLToPath(new URL('../../node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs', import.meta.url));

/** A command that runs the CLI, or why none does here. */
export type ClaudeCode = CliLocation;

/**
 * The first of `node_modules/.bin/claude` and `node cli-wrapper.cjs` that answers `--version`.
 * When neither does (no native build for this platform, the platform package not installed), the
 * reason, with what each said, for the tests to skip with.
 */
export function locateClaudeCode(): ClaudeCode {
  return locateCli('the Claude Code CLI', [[BIN], [process.execPath, WRAPPER]], (stdout) => stdout.includes('(Claude Code)'));
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

/**
 * Runs `claude <args>` with only what test/fixtures/claude-code/README.md found it needs offline:
 * a bare PATH, an empty HOME, the proxy as ANTHROPIC_BASE_URL, non-essential traffic, telemetry,
 * error reports and updates off, stdin closed. And no retries of its own (CLAUDE_CODE_MAX_RETRIES=0):
 * otherwise a proxy error is retried with backoff for minutes with nothing printed (a 401 was sent
 * 7 times in 60 s), where now the run ends at once with the CLI's message, and an error the proxy
 * should not have answered cannot hide behind a retry. The CLI runs in a process group of its own,
 * killed whole at `timeoutMs` (`runCli`).
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
  return runCli(cli, args, { cwd: options.cwd, env, timeoutMs: options.timeoutMs });
}
