// A client's requests of the last minute, counted per second: the exact per-client rpm. Pure.

/** Requests per second over the last minute: `[unix second, count]`, oldest first. */
export interface RateWindow {
  buckets: [second: number, count: number][];
}

export interface Take {
  ok: boolean;
  /** The window after this request (unchanged when it is refused). */
  window: RateWindow;
  /** When refused: whole seconds until a request would be admitted. 0 when admitted. */
  retryAfterSeconds: number;
  /** When refused: the moment (ms) from which a request would be admitted, if no other is. 0 when admitted. */
  retryAtMs: number;
  /** Requests left in the current window after this one. */
  remaining: number;
}

/** The window spans this many whole seconds before the current one, plus the current one. */
const SPAN = 60;

export const emptyWindow = (): RateWindow => ({ buckets: [] });

/** The buckets still inside the window at second `now`. */
function live(window: RateWindow, now: number): RateWindow['buckets'] {
  return window.buckets.filter(([second]) => second >= now - SPAN);
}

/**
 * Admits a request when fewer than `rpm` were admitted in the current second and the 60 before it.
 * Counting 61 whole seconds makes the limit exact: no 60-second interval ever holds more than `rpm`
 * admitted requests; the price is that a refused caller may wait up to one second longer than a
 * log of exact timestamps would make it. State stays at most 61 pairs, whatever the rpm.
 */
export function take(window: RateWindow, nowMs: number, rpm: number): Take {
  const now = Math.floor(nowMs / 1000);
  const buckets = live(window, now);
  const used = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (used < rpm) {
    const last = buckets.at(-1);
    const next: RateWindow['buckets'] =
      last !== undefined && last[0] === now ? [...buckets.slice(0, -1), [now, last[1] + 1]] : [...buckets, [now, 1]];
    return { ok: true, window: { buckets: next }, retryAfterSeconds: 0, retryAtMs: 0, remaining: rpm - used - 1 };
  }
  // Refused: wait until enough of the oldest seconds have left the window (second s leaves at s + SPAN + 1).
  let toFree = used - rpm + 1;
  for (const [second, count] of buckets) {
    toFree -= count;
    if (toFree <= 0) return refused(buckets, second + SPAN + 1, now);
  }
  return refused(buckets, now + SPAN + 1, now);
}

function refused(buckets: RateWindow['buckets'], freeAt: number, now: number): Take {
  return { ok: false, window: { buckets }, retryAfterSeconds: freeAt - now, retryAtMs: freeAt * 1000, remaining: 0 };
}

/** Whether nothing in the window still counts at `nowMs` (its object may then forget it). */
export function isIdle(window: RateWindow, nowMs: number): boolean {
  return live(window, Math.floor(nowMs / 1000)).length === 0;
}
