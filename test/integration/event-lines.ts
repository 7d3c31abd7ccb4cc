// Captures the proxy's JSON log lines (request lines, events, warnings) while a test runs.
import { vi } from 'vitest';

export type Line = Record<string, unknown>;

/** Every JSON line written to console.log/warn/error from now on (the console is silenced). */
export function captureLines(): Line[] {
  const lines: Line[] = [];
  const keep = (text: unknown): void => {
    if (typeof text !== 'string' || !text.startsWith('{')) return;
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      // Not a log line of the proxy.
    }
  };
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(keep);
  return lines;
}

/** The event lines of one kind. */
export function eventsOf(lines: readonly Line[], event: string): Line[] {
  return lines.filter((line) => line.event === event);
}

/** The request line of a request id. */
export function requestLine(lines: readonly Line[], requestId: string): Line | undefined {
  return lines.find((line) => line.msg === 'request' && line.requestId === requestId);
}

/** Polls until `check` holds (background work ends a little after `settle`). */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
