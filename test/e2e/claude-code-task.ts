// One Claude Code task against a proxy instance, with what it left behind: the run, the vendor's calls and the proxy's log lines.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MockCall } from '../mock-provider/handler.ts';
import { type CliRun, describeRun, runClaudeCode } from './claude-code-cli.ts';
import { CLAUDE_CODE_KEY } from './claude-code-config.ts';
import { mockCalls, requestLogLines } from './observers.ts';

/** Per CLI run. A healthy run takes about a second; a stuck one is killed and fails with what the CLI printed. */
export const CLI_TIMEOUT_MS = 30_000;

export interface Instance {
  /** The proxy's origin. */
  url: string;
  /** Its wrangler output, where its request log lines are. */
  log: string;
  /** A scratch directory for the runs' HOME and working directories. */
  dir: string;
}

export interface Task {
  run: CliRun;
  /** The run's working directory. */
  work: string;
  /** What the mock vendor received during the run, in order (reset it before). */
  calls: MockCall[];
  /** The proxy's log lines of the run (every client, errors included), in the order it wrote them. */
  lines: Record<string, unknown>[];
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

/** Runs `claude <args(work)>` with the proxy's client key, in fresh `<dir>/<name>/home` and `<dir>/<name>/work` directories. */
export async function runTask(
  cli: { command: readonly string[] },
  instance: Instance,
  name: string,
  args: (work: string) => string[],
): Promise<Task> {
  const home = join(instance.dir, name, 'home');
  const work = join(instance.dir, name, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  const before = requestLogLines(instance.log).length;
  const run = await runClaudeCode(cli, args(work), {
    baseUrl: instance.url,
    apiKey: CLAUDE_CODE_KEY,
    home,
    cwd: work,
    timeoutMs: CLI_TIMEOUT_MS,
  });
  const calls = await mockCalls();
  const lines = await linesSince(instance.log, before, new Set(calls.map((c) => c.requestId)));
  console.info(`claude-code ${name}: ${run.ms} ms, ${calls.length} vendor calls, ${lines.length} proxy log lines`);
  const vendor = calls.map((c) => `${c.method} ${c.scenario} ${c.path}${c.query} model=${c.model}`);
  const told = `${describeRun(run)}\n--- proxy log lines\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n--- vendor calls\n${vendor.join('\n')}`;
  return { run, work, calls, lines, told };
}

/** Each proxy log line as the tests compare it: who asked, what was served by whom, and every attempt as `provider status`. */
export function served(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.map((l) => ({
    client: l.client,
    route: l.route,
    status: l.status,
    model: l.model,
    source: l.source,
    provider: l.provider,
    stream: l.stream,
    streamOutcome: l.streamOutcome,
    attempts: (l.attempts as { provider: string; status: number }[]).map((a) => `${a.provider} ${a.status}`),
  }));
}
