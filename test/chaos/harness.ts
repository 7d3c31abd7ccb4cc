// What the chaos test reads around the proxy: the mock's call log, wrangler's log lines, the Worker's process, the load phase.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { openPool } from '../../scripts/bench/load.ts';
import type { MockCall } from '../mock-provider/handler.ts';
import { logLines } from '../support/log-lines.ts';
import { workerRuntimePid } from '../support/wrangler-dev.ts';
import { ALIASES } from './aliases.ts';
import { type Outcome, send, warmPrompt } from './load.ts';

export const proxyUrl = inject('chaosProxyUrl');
const mockUrl = inject('chaosMockUrl');

/** Every call the mock vendor received so far. */
export async function mockCalls(): Promise<MockCall[]> {
  return (await (await fetch(`${mockUrl}/__mock/calls`)).json()) as MockCall[];
}

export interface LogLine {
  requestId?: string;
  attempts?: { provider?: string; error?: string }[];
}

/** Everything wrangler printed so far. */
export const wranglerOutput = (): string => readFileSync(inject('chaosWranglerLog'), 'utf8');

/** The proxy's request log lines (`"msg":"request"`) in wrangler's output. */
export function requestLogLines(): LogLine[] {
  return logLines(wranglerOutput()).filter((line) => line.msg === 'request') as LogLine[];
}

/** Fills in each outcome's breaker skips from its request's log line. */
export function addBreakerSkips(outcomes: Outcome[]): void {
  const lines = new Map(requestLogLines().map((line) => [line.requestId, line]));
  for (const o of outcomes) {
    const attempts = lines.get(o.id)?.attempts ?? [];
    o.breakerSkips = attempts.filter((a) => a.error === 'breaker_open').map((a) => a.provider ?? '?');
  }
}

/** The workerd process running the Worker (wrangler's other workerd only forwards requests to it). */
export async function findWorkerd(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const found = workerRuntimePid(inject('chaosWranglerPid'), Number(new URL(proxyUrl).port));
    if (found !== undefined) return found;
    await sleep(100);
  }
  throw new Error('no workerd process under wrangler dev');
}

/** Answers the warm prompts of aliases that have some (`sinking`) while their vendor is still up, so they are cached. */
export async function warmUpCaches(): Promise<void> {
  const pool = openPool(proxyUrl, 1);
  try {
    for (const [name, alias] of Object.entries(ALIASES)) {
      for (let k = 0; k < (alias.warmUp ?? 0); k++) {
        const r = {
          id: `chaos-warm-${name}-${k}`,
          alias: name,
          caller: 'openai' as const,
          stream: false,
          prompt: warmPrompt(name, k),
          headers: {},
        };
        const got = await send(pool, r, 0);
        if (got.source !== 'provider' || got.text !== alias.text) throw new Error(`warm-up of ${name} failed: ${JSON.stringify(got)}`);
      }
    }
  } finally {
    await pool.destroy();
  }
}
