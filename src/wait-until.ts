// Runs work after the response without delaying it, with or without an ExecutionContext.
import type { Context } from 'hono';
import { writeError } from './observability/log.ts';

/**
 * Hands `promise` to `waitUntil` so the isolate keeps it alive after the response. Under
 * `app.request()` in tests there is no ExecutionContext; the promise then simply runs.
 */
export function runInBackground(c: Context, promise: Promise<unknown>): void {
  const guarded = promise.catch((err: unknown) => writeError('background task failed', err));
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // No ExecutionContext (tests): the promise is already running.
  }
}
