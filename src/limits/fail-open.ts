// Limiters are resilience infrastructure: when one errors, is slow or is not bound, requests go ahead and it is logged.
import { writeWarning } from '../observability/log.ts';
import { withTimeout } from '../timeout.ts';

/** The longest a request waits for a limiter (binding or object) before going ahead without it. */
export const LIMITER_TIMEOUT_MS = 500;
/** One warning per limiter and cause per this long, so an outage does not flood the log. */
const WARN_EVERY_MS = 10_000;

const warnedAt = new Map<string, number>();

/**
 * `call()` bounded by `timeoutMs` (LIMITER_TIMEOUT_MS unless said); undefined (go ahead) when it throws, times out, or the
 * binding is missing (`call` is undefined).
 */
export async function failOpen<T>(
  limiter: string,
  call: (() => Promise<T>) | undefined,
  timeoutMs = LIMITER_TIMEOUT_MS,
): Promise<T | undefined> {
  if (call === undefined) {
    warn(limiter, 'binding missing');
    return undefined;
  }
  try {
    return await withTimeout(call(), timeoutMs, limiter);
  } catch (err) {
    warn(limiter, err instanceof Error ? err.name : typeof err);
    return undefined;
  }
}

function warn(limiter: string, cause: string): void {
  const now = Date.now();
  const key = `${limiter}:${cause}`;
  if (now - (warnedAt.get(key) ?? Number.NEGATIVE_INFINITY) < WARN_EVERY_MS) return;
  warnedAt.set(key, now);
  writeWarning('limiter unavailable; failing open', { limiter, cause });
}
