// A test file driving a CLI against a proxy of its own: the hooks that start it, and one task with what it left behind (the run, the vendor's calls, the proxy's log lines), told in full for a failing assertion.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach } from 'vitest';
import type { MockCall } from '../mock-provider/handler.ts';
import { type CliLocation, type CliRun, describeRun } from '../support/cli-run.ts';
import { type Instance, type OwnInstanceOptions, useOwnInstance } from './instance.ts';
import { mockCalls, requestLogLines, resetMock } from './observers.ts';

/**
 * The hooks of a test file that drives the CLI `cli` against a proxy of its own (`useOwnInstance`):
 * the mock's calls are reset before each test, so a task's `calls` are its own. When the CLI does
 * not run on this machine, no proxy is started and every test is skipped with the reason.
 */
export function useCliInstance(name: string, cli: CliLocation, options: Omit<OwnInstanceOptions, 'skip'>): Instance {
  const skip = 'skip' in cli ? cli.skip : undefined;
  if (skip !== undefined) console.warn(`${name}.test.ts: skipped: ${skip}`);
  const instance = useOwnInstance(name, { ...options, skip: skip !== undefined });
  beforeEach(async (ctx) => {
    if (skip !== undefined) ctx.skip(skip);
    await resetMock();
  });
  return instance;
}

/** What a run left behind. */
export interface CliTask {
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

/** A run's own fresh directories: `<dir>/<name>/home` and `<dir>/<name>/work`. */
export interface TaskDirs {
  home: string;
  work: string;
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

/**
 * Makes the task's directories, runs `start` in them, then collects the vendor's calls and the
 * proxy's log lines of the run (waiting for the line of each call). `program` names the CLI in the
 * progress line and in `told`.
 */
export async function runCliTask(
  instance: Instance,
  program: string,
  name: string,
  start: (dirs: TaskDirs) => Promise<CliRun>,
): Promise<CliTask> {
  const dirs = { home: join(instance.dir, name, 'home'), work: join(instance.dir, name, 'work') };
  mkdirSync(dirs.home, { recursive: true });
  mkdirSync(dirs.work, { recursive: true });
  const before = requestLogLines(instance.log).length;
  const run = await start(dirs);
  const calls = await mockCalls();
  const lines = await linesSince(instance.log, before, new Set(calls.map((c) => c.requestId)));
  console.info(`${program} ${name}: ${run.ms} ms, ${calls.length} vendor calls, ${lines.length} proxy log lines`);
  const vendor = calls.map((c) => `${c.method} ${c.scenario} ${c.path}${c.query} model=${c.model}`);
  const logged = lines.map((l) => JSON.stringify(l)).join('\n');
  const told = `${describeRun(program, run)}\n--- proxy log lines\n${logged}\n--- vendor calls\n${vendor.join('\n')}`;
  return { run, work: dirs.work, calls, lines, told };
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

/** What `served` shows for a model turn of `client` on `route` that `provider` streamed whole after `attempts`. */
export function streamedTurn(client: string, route: string, model: string, provider: string, attempts: string[]): Record<string, unknown> {
  return { client, route, status: 200, model, source: 'provider', provider, stream: true, streamOutcome: 'complete', attempts };
}
