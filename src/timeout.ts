// One bounded wait: a promise that rejects when another takes too long.

/** `promise`, or a rejection once `ms` have passed; the timer is always cleared. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimer(timer));
}

/**
 * Clears a timer that may not have been set. Typed for both timer APIs the code meets: workerd's
 * (number) and Node's (Timeout objects), which disagree on what clearTimeout accepts besides a timer.
 */
export function clearTimer(timer: ReturnType<typeof setTimeout> | undefined): void {
  if (timer !== undefined) clearTimeout(timer);
}
