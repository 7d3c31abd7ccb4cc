// One Codex task against the test file's own proxy: `codex exec` with the proxy's client key in fresh directories, its events and any egress.
import { type CliTask, runCliTask } from './cli-task.ts';
import { type CodexEvent, codexEvents, runCodex, startEgressTrap } from './codex-cli.ts';
import { CODEX_KEY } from './codex-config.ts';
import type { Instance } from './instance.ts';

/** Per CLI run. A healthy tool loop takes about a second; a stuck one is killed and fails with what the CLI printed. */
export const CLI_TIMEOUT_MS = 45_000;

/** What a Codex run left behind. */
export interface CodexTask extends CliTask {
  /** The `--json` events of the run, in order. */
  events: CodexEvent[];
  /** What reached the egress trap (Codex's HTTP(S) proxy): anything Codex tried to send past loopback. */
  egress: string[];
}

/** Runs `codex exec` on `model` (a proxy alias) with the proxy's client key, in fresh `<dir>/<name>/home` and `<dir>/<name>/work` directories. */
export async function runCodexTask(
  cli: { command: readonly string[] },
  instance: Instance,
  name: string,
  model: string,
  prompt: (work: string) => string,
): Promise<CodexTask> {
  const trap = await startEgressTrap();
  try {
    const task = await runCliTask(instance, 'codex', name, ({ home, work }) => {
      const options = {
        baseUrl: `${instance.url}/v1`,
        model,
        apiKey: CODEX_KEY,
        home,
        cwd: work,
        trapUrl: trap.url,
        timeoutMs: CLI_TIMEOUT_MS,
      };
      return runCodex(cli, prompt(work), options);
    });
    return { ...task, events: codexEvents(task.run.stdout), egress: trap.seen() };
  } finally {
    await trap.close();
  }
}
