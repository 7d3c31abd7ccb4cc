import { describe, expect, it } from 'vitest';
import { emptyWindow, type RateWindow, refund, take } from '../../src/limits/rate-window.ts';
import { afterGrant, type Lease, MAX_LEASE, plan, restOf, spend, wanted } from '../../src/limits/rpm-lease.ts';

const lease = (second: number, left: number, spent: number): Lease => ({ second, left, spent });

describe('rpm lease', () => {
  it('spends an admission of the current second only, while one is left', () => {
    expect(spend(lease(100, 2, 1), 100)).toEqual(lease(100, 1, 2));
    expect(spend(lease(100, 0, 3), 100)).toBeUndefined();
    expect(spend(lease(99, 2, 1), 100)).toBeUndefined();
    expect(spend(undefined, 100)).toBeUndefined();
  });

  it.each([
    // [lease, now, rpm, want]
    [undefined, 100, 6000, 1],
    [lease(100, 0, 1), 100, 6000, 2],
    [lease(100, 0, 3), 100, 6000, 6],
    [lease(99, 0, 10), 100, 6000, 20],
    [lease(98, 0, 10), 100, 6000, 1],
    [lease(100, 0, 500), 100, 1_000_000, MAX_LEASE],
    // The share of one second caps it: 600 rpm leases at most 10 at a time.
    [lease(100, 0, 50), 100, 600, 10],
    // Below 120 rpm every request asks for itself alone.
    [lease(100, 0, 50), 100, 119, 1],
    [lease(100, 0, 50), 100, 60, 1],
  ])('asks for twice the pace of this second or the last, within bounds: %j at %i, rpm %i -> %i', (held, now, rpm, want) => {
    expect(wanted(held, now, rpm)).toBe(want);
  });

  it('gives back the unspent rest of an earlier second, once', () => {
    expect(restOf(lease(99, 3, 4), 100)).toEqual({ second: 99, count: 3 });
    expect(restOf(lease(100, 3, 4), 100)).toBeUndefined();
    expect(restOf(lease(99, 0, 4), 100)).toBeUndefined();
    const asking = plan(lease(99, 3, 4), 100, 6000);
    expect(asking).toEqual({ kind: 'ask', want: 8, back: { second: 99, count: 3 }, lease: lease(99, 0, 4) });
    // A request planning meanwhile sees the rest gone.
    expect(plan(asking.lease, 100, 6000)).toMatchObject({ kind: 'ask', back: undefined });
    expect(plan(lease(100, 1, 1), 100, 6000)).toEqual({ kind: 'spend', lease: lease(100, 0, 2) });
  });

  it('holds what a grant leaves after the asking request took its own', () => {
    expect(afterGrant(undefined, 100, 4)).toEqual({ lease: lease(100, 3, 1) });
    expect(afterGrant(lease(99, 0, 7), 100, 1)).toEqual({ lease: lease(100, 0, 1) });
    // Two asks of one second in flight at once: both grants are held.
    expect(afterGrant(lease(100, 2, 3), 100, 4)).toEqual({ lease: lease(100, 5, 4) });
    // A grant of an older second than the lease already held: its rest goes back.
    expect(afterGrant(lease(101, 2, 1), 100, 4)).toEqual({ lease: lease(101, 2, 1), rest: { second: 100, count: 3 } });
    expect(afterGrant(lease(101, 2, 1), 100, 1)).toEqual({ lease: lease(101, 2, 1) });
  });

  it.each([
    // [rpm, mean ms between requests, most asks expected (per request)]
    [600, 10, 1],
    [60_000, 10, 0.25],
  ])('keeps rpm %i exact across isolates leasing from one object (random traffic, ~%i ms apart)', (rpm, gap, askShare) => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let window: RateWindow = emptyWindow();
    const isolates: (Lease | undefined)[] = [undefined, undefined, undefined];
    const admitted: number[] = [];
    let asks = 0;
    let t = 1_000_000;
    for (let i = 0; i < 20_000; i++) {
      // Bursts and lulls: mostly a few ms apart, now and then seconds.
      t += random() < 0.01 ? Math.floor(random() * 5000) : Math.floor(random() * 2 * gap);
      const at = Math.floor(random() * isolates.length);
      const next = plan(isolates[at], Math.floor(t / 1000), rpm);
      isolates[at] = next.lease;
      if (next.kind === 'spend') {
        admitted.push(t);
        continue;
      }
      asks++;
      if (next.back !== undefined) window = refund(window, next.back.second, next.back.count);
      const reply = take(window, t, rpm, next.want);
      window = reply.window;
      if (!reply.ok) continue;
      admitted.push(t);
      const held = afterGrant(isolates[at], reply.second, reply.granted);
      isolates[at] = held.lease;
      if (held.rest !== undefined) window = refund(window, held.rest.second, held.rest.count);
    }
    for (let i = 0; i < admitted.length; i++) {
      const start = admitted[i] as number;
      let inWindow = 0;
      for (let j = i; j < admitted.length && (admitted[j] as number) < start + 60_000; j++) inWindow++;
      expect(inWindow).toBeLessThanOrEqual(rpm);
    }
    // Fewer asks than requests when the client is under its limit, and the allowance is still
    // used, not held back in leases.
    expect(asks).toBeLessThanOrEqual(20_000 * askShare);
    const minutes = (t - 1_000_000) / 60_000;
    expect(admitted.length).toBeGreaterThan(Math.min(20_000, minutes * rpm) * 0.8);
  });
});
