// One Claude Code task against the test file's own proxy: `claude` run with the proxy's client key in fresh directories.
import { runClaudeCode } from './claude-code-cli.ts';
import { CLAUDE_CODE_KEY } from './claude-code-config.ts';
import { type CliTask, runCliTask } from './cli-task.ts';
import type { Instance } from './instance.ts';

/** Per CLI run. A healthy run takes about a second; a stuck one is killed and fails with what the CLI printed. */
export const CLI_TIMEOUT_MS = 30_000;

/** What a Claude Code run left behind. */
export type Task = CliTask;

/** Runs `claude <args(work)>` with the proxy's client key, in fresh `<dir>/<name>/home` and `<dir>/<name>/work` directories. */
export function runTask(
  cli: { command: readonly string[] },
  instance: Instance,
  name: string,
  args: (work: string) => string[],
): Promise<Task> {
  return runCliTask(instance, 'claude', name, ({ home, work }) =>
    runClaudeCode(cli, args(work), { baseUrl: instance.url, apiKey: CLAUDE_CODE_KEY, home, cwd: work, timeoutMs: CLI_TIMEOUT_MS }),
  );
}
