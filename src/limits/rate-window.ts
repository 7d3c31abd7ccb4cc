// A client's requests of the last minute, counted per second: the exact per-client rpm. Pure.

/** Requests per second over the last minute: `[unix second, count]`, oldest first. */
export interface RateWindow {
  buckets: [second: number, count: number][];
}

export interface Take {
  ok: boolean;
  /** Admissions granted (1 up to the `want` asked for; 0 when refused), all counted in `second`. */
  granted: number;
  /** The whole second the admissions are counted in. */
  second: number;
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
 *
 * `want` > 1 asks for that many admissions at once, all counted in the current second (a lease the
 * caller spends within that second; what it does not spend it gives back with `refund`): as many as
 * fit are granted, at least one or the request is refused.
 */
export function take(window: RateWindow, nowMs: number, rpm: number, want = 1): Take {
  const now = Math.floor(nowMs / 1000);
  const buckets = live(window, now);
  const used = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (used < rpm) {
    const granted = Math.max(1, Math.min(Math.floor(want), rpm - used));
    const last = buckets.at(-1);
    const next: RateWindow['buckets'] =
      last !== undefined && last[0] === now ? [...buckets.slice(0, -1), [now, last[1] + granted]] : [...buckets, [now, granted]];
    return {
      ok: true,
      granted,
      second: now,
      window: { buckets: next },
      retryAfterSeconds: 0,
      retryAtMs: 0,
      remaining: rpm - used - granted,
    };
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
  return {
    ok: false,
    granted: 0,
    second: now,
    window: { buckets },
    retryAfterSeconds: freeAt - now,
    retryAtMs: freeAt * 1000,
    remaining: 0,
  };
}

/**
 * The window after `count` admissions granted in `second` went unused (a lease's rest): they stop
 * counting. Never below zero; nothing changes once that second has left the window.
 */
export function refund(window: RateWindow, second: number, count: number): RateWindow {
  if (count <= 0 || !window.buckets.some(([s]) => s === second)) return window;
  const buckets = window.buckets.flatMap(([s, n]): RateWindow['buckets'] => {
    if (s !== second) return [[s, n]];
    const left = n - Math.min(n, Math.floor(count));
    return left > 0 ? [[s, left]] : [];
  });
  return { buckets };
}

/** Whether nothing in the window still counts at `nowMs` (its object may then forget it). */
export function isIdle(window: RateWindow, nowMs: number): boolean {
  return live(window, Math.floor(nowMs / 1000)).length === 0;
}
