import { describe, expect, it } from 'vitest';
import { IP_LIMIT_UNITS, ipDelta, ipKey, secondsToNextMinute } from '../../src/limits/ip.ts';

/** How many calls the binding admits with a fixed limit and a charge of `delta` per call. */
function admitted(delta: number): number {
  let counter = 0;
  let calls = 0;
  // The binding admits a call while its counter is below the limit.
  while (counter < IP_LIMIT_UNITS) {
    counter += delta;
    calls += 1;
  }
  return calls;
}

describe('per-IP limit on a binding with a fixed limit', () => {
  it.each([1, 2, 3, 7, 10, 60, 100, 120, 333, 600, 999, 1000])('admits exactly ipRpm = %i calls a minute', (ipRpm) => {
    expect(admitted(ipDelta(ipRpm))).toBe(ipRpm);
  });

  it.each([1001, 3333, 5000, 7777, 10_000])('never admits more than ipRpm = %i, and at most 1%% fewer, above 1000', (ipRpm) => {
    const calls = admitted(ipDelta(ipRpm));
    expect(calls).toBeLessThanOrEqual(ipRpm);
    expect(calls).toBeGreaterThanOrEqual(ipRpm * 0.99);
  });

  it.each([
    ['203.0.113.7', 'ip:203.0.113.7'],
    ['2001:db8:85a3:1:2:3:4:5', 'ip6:2001:db8:85a3:1'],
    ['2001:db8:85a3:1:ffff:ffff:ffff:ffff', 'ip6:2001:db8:85a3:1'],
    ['2001:0DB8:0000:0001::1', 'ip6:2001:db8:0:1'],
    ['2001:db8::1', 'ip6:2001:db8:0:0'],
    ['::1', 'ip6:0:0:0:0'],
    ['::ffff:192.0.2.1', 'ip6:0:0:0:0'],
    ['64:ff9b:1:2:3:4:192.0.2.1', 'ip6:64:ff9b:1:2'],
  ])('counts %s as %s (IPv6 by its /64)', (address, key) => {
    expect(ipKey(address)).toBe(key);
  });

  it.each([
    ['2026-11-23T12:00:00.000Z', 60],
    ['2026-11-23T12:00:00.999Z', 60],
    ['2026-11-23T12:00:59.000Z', 1],
    ['2026-11-23T12:00:59.999Z', 1],
    ['2026-11-23T12:00:30.500Z', 30],
  ])('at %s a refused caller is told to retry in %i s', (now, seconds) => {
    expect(secondsToNextMinute(Date.parse(now))).toBe(seconds);
  });
});
