// Read-only views of the world around the proxy: the mock's call log, the tap, wrangler's output.
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { MockCall } from '../mock-provider/handler.ts';
import { logLines } from '../support/log-lines.ts';
import type { TapEntry } from './connection-tap.ts';

const mockUrl = inject('mockUrl');
const tapUrl = inject('tapUrl');

/** The calls the mock vendor received since the last reset. */
export async function mockCalls(): Promise<MockCall[]> {
  return (await (await fetch(`${mockUrl}/__mock/calls`)).json()) as MockCall[];
}

/** Forgets the mock's calls and `times` counters. */
export async function resetMock(): Promise<void> {
  await fetch(`${mockUrl}/__mock/reset`, { method: 'POST' });
}

/** Which targets the mock saw, in order, by the model the proxy asked for. */
export async function calledModels(): Promise<string[]> {
  return (await mockCalls()).map((c) => c.model ?? '?');
}

export async function tapLog(): Promise<TapEntry[]> {
  return (await (await fetch(`${tapUrl}/__tap/log`)).json()) as TapEntry[];
}

export async function resetTap(): Promise<void> {
  await fetch(`${tapUrl}/__tap/reset`, { method: 'POST' });
}

/** Everything wrangler (and the Worker's console) printed so far; the first proxy's unless told. */
export function wranglerOutput(logFile: string = inject('wranglerLog')): string {
  return readFileSync(logFile, 'utf8');
}

/** The proxy's structured request log lines, parsed; the first proxy's unless told. */
export function requestLogLines(logFile: string = inject('wranglerLog')): Record<string, unknown>[] {
  return logLines(wranglerOutput(logFile)).filter((line) => line.msg === 'request');
}

/** Waits (up to `timeoutMs`) for the request log line of `requestId`; wrangler prints it a bit later. */
export async function logLineFor(
  requestId: string,
  timeoutMs = 5000,
  logFile: string = inject('wranglerLog'),
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = requestLogLines(logFile).find((l) => l.requestId === requestId);
    if (line !== undefined) return line;
    if (Date.now() > until) throw new Error(`no request log line for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
