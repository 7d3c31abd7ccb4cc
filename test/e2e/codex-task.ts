// One Codex task against a proxy instance, with what it left behind: the run and its events, the vendor's calls, the proxy's log lines and any egress.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MockCall } from '../mock-provider/handler.ts';
import type { Instance } from './claude-code-task.ts';
import { type CliRun, type CodexEvent, codexEvents, describeRun, runCodex, startEgressTrap } from './codex-cli.ts';
import { CODEX_KEY } from './codex-config.ts';
import { mockCalls, requestLogLines } from './observers.ts';

/** Per CLI run. A healthy tool loop takes about a second; a stuck one is killed and fails with what the CLI printed. */
export const CLI_TIMEOUT_MS = 45_000;

export interface CodexTask {
  run: CliRun;
  /** The `--json` events of the run, in order. */
  events: CodexEvent[];
  /** The run's working directory. */
  work: string;
  /** What the mock vendor received during the run, in order (reset it before). */
  calls: MockCall[];
  /** The proxy's log lines of the run (every client, errors included), in the order it wrote them. */
  lines: Record<string, unknown>[];
  /** What reached the egress trap (Codex's HTTP(S) proxy): anything Codex tried to send past loopback. */
  egress: string[];
  /** The run, the proxy's log lines and the vendor calls told in full, for a failing assertion's message. */
  told: string;
}

/** The proxy's log lines after the first `skip`, once every request the vendor saw has its line (wrangler prints them a moment later). */
async function linesSince(log: string, skip: number, requestIds: Set<string | null>): Promise<Record<string, unknown>[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const lines = requestLogLines(log).slice(skip);
    const logged = new Set(lines.map((l) => l.requestId));
    if ([...requestIds].every((id) => logged.has(id)) || Date.now() > until) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `codex exec` on `model` (a proxy alias) with the proxy's client key, in fresh `<dir>/<name>/home` and `<dir>/<name>/work` directories. */
export async function runCodexTask(
  cli: { command: readonly string[] },
  instance: Instance,
  name: string,
  model: string,
  prompt: (work: string) => string,
): Promise<CodexTask> {
  const home = join(instance.dir, name, 'home');
  const work = join(instance.dir, name, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  const before = requestLogLines(instance.log).length;
  const trap = await startEgressTrap();
  const options = {
    baseUrl: `${instance.url}/v1`,
    model,
    apiKey: CODEX_KEY,
    home,
    cwd: work,
    trapUrl: trap.url,
    timeoutMs: CLI_TIMEOUT_MS,
  };
  const run = await runCodex(cli, prompt(work), options).finally(() => trap.close());
  const calls = await mockCalls();
  const lines = await linesSince(instance.log, before, new Set(calls.map((c) => c.requestId)));
  console.info(`codex ${name}: ${run.ms} ms, ${calls.length} vendor calls, ${lines.length} proxy log lines`);
  const vendor = calls.map((c) => `${c.method} ${c.scenario} ${c.path}${c.query} model=${c.model}`);
  const told = `${describeRun(run)}\n--- proxy log lines\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n--- vendor calls\n${vendor.join('\n')}`;
  return { run, events: codexEvents(run.stdout), work, calls, lines, egress: trap.seen(), told };
}
