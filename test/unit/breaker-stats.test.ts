// The status figures a breaker keeps (success rate, latency and first-token percentiles, rescues, rejected keys), through its pure policy.
import { describe, expect, it } from 'vitest';
import { type BreakerEvent, type BreakerState, initialState, next, upgradeState } from '../../src/breaker/policy.ts';
import { quantile, stats } from '../../src/breaker/stats.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';

const options = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
const fail: BreakerEvent = { type: 'failure', ms: 10, kind: 'http:503' };
const ok: BreakerEvent = { type: 'success', ms: 10 };

function run(events: [number, BreakerEvent][], opts = options, start = initialState()): BreakerState {
  return events.reduce((s, [now, e]) => next(s, e, now, opts).state, start);
}
const times = (n: number, e: BreakerEvent, at = 0): [number, BreakerEvent][] => Array.from({ length: n }, () => [at, e]);

describe('quantile', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.95, 7],
    [[30, 10, 20], 0.5, 20],
    [[30, 10, 20], 0.95, 30],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 6],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10],
  ])('of %j at %f is %s', (samples, q, value) => {
    expect(quantile(samples, q)).toBe(value);
  });
});

describe('stats', () => {
  it('reports the failure rate, success rate and latency percentiles', () => {
    const s = run(
      [
        [0, { type: 'success', ms: 10 }],
        [0, { type: 'success', ms: 30 }],
        [0, { type: 'failure', ms: 20, kind: 'x' }],
      ],
      {
        ...options,
        consecutiveFailures: 99,
      },
    );
    expect(stats(s)).toEqual({
      failureRate: 1 / 3,
      successRate: 1 - 1 / 3,
      recentCalls: 3,
      latency: { p50: 20, p95: 30 },
      ttft: { p50: null, p95: null },
    });
    expect(s.lastError).toEqual({ kind: 'x', at: 0 });
  });

  it('keeps the recent outcomes when the breaker opens, so an open breaker never shows "no calls"', () => {
    const s = run(times(5, fail));
    expect(s.state).toBe('open');
    expect(s.window).toEqual([]);
    expect(stats(s)).toMatchObject({ successRate: 0, recentCalls: 5 });
  });

  it('takes the latencies and times to first token of a batch of successes', () => {
    const s = run([[0, { type: 'success', ms: 40, count: 3, samples: [10, 20, 40], ttfts: [5, 7] }]]);
    expect(stats(s)).toMatchObject({ recentCalls: 3, latency: { p50: 20, p95: 40 }, ttft: { p50: 7, p95: 7 } });
  });

  it('keeps only the last 50 samples', () => {
    const s = run(Array.from({ length: 60 }, (_, i) => [0, { type: 'success', ms: i, ttfts: [i] }] as [number, BreakerEvent]));
    expect(s.latencies).toHaveLength(50);
    expect(s.ttfts[0]).toBe(10);
    expect(s.recent).toHaveLength(50);
  });

  it('counts rescues: a broken stream another target continued, and the streams a provider continued', () => {
    const s = run(
      [
        [5, { type: 'failure', ms: 50, kind: 'stream:stream_interrupted', rescued: true }],
        [6, { type: 'success', ms: 80, rescuer: 2 }],
      ],
      { ...options, consecutiveFailures: 99 },
    );
    expect(s.rescues).toEqual({ rescued: 1, rescuer: 2, lastAt: 6 });
  });

  it('remembers a rejected key until a success', () => {
    const rejected = run([[7, { ...fail, kind: 'http:401', key: { position: 1, pool: 1, status: 401 } }]]);
    expect(rejected.keyRejected).toEqual({ position: 1, pool: 1, status: 401, at: 7 });
    expect(run([[8, ok]], options, rejected).keyRejected).toBeNull();
    expect(run([[8, fail]], options, rejected).keyRejected).toEqual(rejected.keyRejected);
  });

  it('completes a state stored by an earlier version', () => {
    const old = {
      state: 'open',
      window: [],
      consecutiveFailures: 0,
      openUntil: 99,
      reopens: 1,
      probes: [],
      latencies: [5],
      lastError: null,
      updatedAt: 1,
    };
    expect(upgradeState(old as Partial<BreakerState>, 0)).toMatchObject({
      state: 'open',
      openUntil: 99,
      latencies: [5],
      ttfts: [],
      recent: [],
      keyRejected: null,
    });
  });
});
