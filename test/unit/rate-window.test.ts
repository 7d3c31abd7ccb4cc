import { describe, expect, it } from 'vitest';
import { emptyWindow, isIdle, type RateWindow, refund, take } from '../../src/limits/rate-window.ts';

const at = (seconds: number, ms = 0): number => seconds * 1000 + ms;

/** Sends requests at the given times (ms) with `rpm`; returns which were admitted and the last outcome. */
function run(times: number[], rpm: number) {
  let window: RateWindow = emptyWindow();
  const admitted: boolean[] = [];
  let last: ReturnType<typeof take> | undefined;
  for (const t of times) {
    last = take(window, t, rpm);
    window = last.window;
    admitted.push(last.ok);
  }
  return { admitted, last: last as ReturnType<typeof take>, window };
}

describe('per-client rate window', () => {
  it.each([
    ['admits up to rpm requests in one second', [at(100), at(100, 1), at(100, 2)], 3, [true, true, true]],
    ['refuses the request past rpm', [at(100), at(100, 1), at(100, 2), at(100, 3)], 3, [true, true, true, false]],
    [
      'still refuses 60 s later (the second of the first requests is counted 61 s)',
      [at(100), at(100), at(160, 999)],
      2,
      [true, true, false],
    ],
    ['admits again once the oldest second has left the window', [at(100), at(100), at(161)], 2, [true, true, true]],
    ['admits one request a second forever with rpm 61', Array.from({ length: 120 }, (_, i) => at(100 + i)), 61, Array(120).fill(true)],
    // Whole seconds are counted, so a perfectly even one-a-second stream at rpm 60 loses every 61st request.
    [
      'refuses every 61st of one request a second with rpm 60',
      Array.from({ length: 122 }, (_, i) => at(100 + i)),
      60,
      Array.from({ length: 122 }, (_, i) => i % 61 !== 60),
    ],
    ['rpm 1: the second request within 61 s is refused', [at(100, 900), at(101, 100)], 1, [true, false]],
  ])('%s', (_name, times, rpm, expected) => {
    expect(run(times, rpm).admitted).toEqual(expected);
  });

  it.each([
    // [requests at (s), rpm, now (s), expected retryAfter]
    [[100, 100, 100], 3, 100, 61],
    [[100, 130, 150], 3, 150, 11],
    [[100, 100, 130], 3, 130, 31],
    [[100, 130, 130], 2, 135, 26],
  ])('says how long to wait: requests at %j, rpm %i, refused at %i s -> Retry-After %i', (seconds, rpm, now, retryAfter) => {
    let window = emptyWindow();
    for (const s of seconds) window = take(window, at(s), rpm).window;
    const refused = take(window, at(now), rpm);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterSeconds).toBe(retryAfter);
    expect(refused.retryAtMs).toBe(at(now + retryAfter));
    // From retryAt on, not a millisecond before.
    expect(take(window, refused.retryAtMs, rpm).ok).toBe(true);
    expect(take(window, refused.retryAtMs - 1, rpm).ok).toBe(false);
    // Waiting exactly that long is enough, and one second less is not.
    expect(take(window, at(now + retryAfter), rpm).ok).toBe(true);
    expect(take(window, at(now + retryAfter - 1), rpm).ok).toBe(false);
  });

  it('never admits more than rpm in any 60-second interval (random traffic)', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rpm = 7;
    let t = at(1000);
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      t += Math.floor(random() * 4000);
      times.push(t);
    }
    const { admitted } = run(times, rpm);
    const accepted = times.filter((_, i) => admitted[i]);
    for (let i = 0; i < accepted.length; i++) {
      const start = accepted[i] as number;
      const inWindow = accepted.filter((x) => x >= start && x < start + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(rpm);
    }
    // It limits, but does not starve: most of the allowance is used.
    expect(accepted.length).toBeGreaterThan((((times.at(-1) as number) - at(1000)) / 60_000) * rpm * 0.8);
  });

  it('keeps at most 61 buckets whatever the rpm', () => {
    const times = Array.from({ length: 5000 }, (_, i) => at(100) + i * 50);
    expect(run(times, 100_000).window.buckets.length).toBeLessThanOrEqual(61);
  });

  it('does not count refused requests', () => {
    const { window } = run([at(100), at(100), at(100), at(100)], 2);
    expect(window.buckets).toEqual([[100, 2]]);
  });

  it('tells when a window no longer holds anything', () => {
    const { window } = run([at(100)], 5);
    expect(isIdle(window, at(160))).toBe(false);
    expect(isIdle(window, at(161))).toBe(true);
    expect(take(window, at(100), 5).remaining).toBe(3);
  });

  it.each([
    // [admitted before in this second, rpm, want, granted, remaining after]
    [0, 100, 1, 1, 99],
    [0, 100, 8, 8, 92],
    [95, 100, 8, 5, 0],
    [99, 100, 8, 1, 0],
    [0, 3, 0, 1, 2],
  ])(
    'grants up to the admissions asked for at once: %i admitted, rpm %i, want %i -> %i granted',
    (before, rpm, want, granted, remaining) => {
      const window: RateWindow = before > 0 ? { buckets: [[100, before]] } : emptyWindow();
      const result = take(window, at(100, 500), rpm, want);
      expect(result).toMatchObject({ ok: true, granted, second: 100, remaining });
      expect(result.window.buckets).toEqual([[100, before + granted]]);
    },
  );

  it('refuses a lease when nothing fits, granting none', () => {
    const result = take({ buckets: [[100, 3]] }, at(100), 3, 8);
    expect(result).toMatchObject({ ok: false, granted: 0, second: 100 });
    expect(result.window.buckets).toEqual([[100, 3]]);
  });

  it('stops counting admissions given back, never below zero, and only in their own second', () => {
    const window: RateWindow = {
      buckets: [
        [100, 5],
        [101, 2],
      ],
    };
    expect(refund(window, 100, 3).buckets).toEqual([
      [100, 2],
      [101, 2],
    ]);
    expect(refund(window, 101, 9).buckets).toEqual([[100, 5]]);
    expect(refund(window, 99, 3)).toBe(window);
    expect(refund(window, 100, 0)).toBe(window);
    // What was given back is free again at once.
    expect(take(refund({ buckets: [[100, 3]] }, 100, 2), at(100, 900), 3, 2)).toMatchObject({ ok: true, granted: 2 });
  });
});
