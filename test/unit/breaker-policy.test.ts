import { describe, expect, it } from 'vitest';
import { type BreakerEvent, type BreakerState, initialState, next, PROBE_LEASE_MS, phaseAt } from '../../src/breaker/policy.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';

const options = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
const fail: BreakerEvent = { type: 'failure', ms: 10, kind: 'http:503' };
const ok: BreakerEvent = { type: 'success', ms: 10 };

/** Applies events at the given times, returning the last state. */
function run(events: [number, BreakerEvent][], opts = options, start = initialState()): BreakerState {
  return events.reduce((s, [now, e]) => next(s, e, now, opts).state, start);
}
const times = (n: number, e: BreakerEvent, at = 0): [number, BreakerEvent][] => Array.from({ length: n }, () => [at, e]);

describe('closed', () => {
  it.each([
    ['4 consecutive failures', times(4, fail), 'closed'],
    ['5 consecutive failures', times(5, fail), 'open'],
    [
      'a 50% failure rate over minCalls',
      [
        [0, ok],
        [0, fail],
        [0, ok],
        [0, fail],
        [0, ok],
        [0, fail],
      ],
      'open',
    ],
    [
      'a 40% failure rate',
      [
        [0, ok],
        [0, fail],
        [0, ok],
        [0, fail],
        [0, ok],
      ],
      'closed',
    ],
  ] as [string, [number, BreakerEvent][], string][])('after %s', (_name, events, state) => {
    expect(run(events).state).toBe(state);
  });

  it('counts consecutive failures only: a success in between starts again', () => {
    const opts = { ...options, failureRate: 1 };
    expect(run([...times(4, fail), [0, ok], ...times(4, fail)], opts).state).toBe('closed');
    expect(run([...times(4, fail), [0, ok], ...times(5, fail)], opts).state).toBe('open');
  });

  it('needs minCalls outcomes before the rate counts', () => {
    expect(
      run(
        [
          [0, fail],
          [0, ok],
          [0, fail],
        ],
        { ...options, consecutiveFailures: 99 },
      ).state,
    ).toBe('closed');
  });

  it('slides the window: old failures drop out', () => {
    const opts = { ...options, windowSize: 4, minCalls: 4, consecutiveFailures: 99 };
    expect(
      run(
        [
          [0, fail],
          [0, fail],
          [0, ok],
          [0, ok],
          [0, ok],
        ],
        opts,
      ).window,
    ).toEqual([1, 0, 0, 0]);
  });

  it('takes a batch of successes at once, never more than the window', () => {
    const opts = { ...options, windowSize: 4 };
    expect(
      run(
        [
          [0, fail],
          [0, { type: 'success', ms: 5, count: 2 }],
        ],
        opts,
      ).window,
    ).toEqual([1, 0, 0]);
    expect(run([[0, { type: 'success', ms: 5, count: 99 }]], opts).window).toEqual([0, 0, 0, 0]);
  });

  it('ignores neutral outcomes (client errors)', () => {
    expect(run([...times(4, fail), [0, { type: 'neutral' }], [0, { type: 'neutral' }]]).consecutiveFailures).toBe(4);
  });

  it('grants every probe request (no probing needed)', () => {
    expect(next(initialState(), { type: 'probe' }, 0, options).granted).toBe(true);
  });
});

describe('open', () => {
  const opened = run(times(5, fail, 1000));

  it('stays open for openMs', () => {
    expect(opened.openUntil).toBe(1000 + options.openMs);
    expect(phaseAt(opened, 1000 + options.openMs - 1)).toBe('open');
    expect(next(opened, { type: 'probe' }, 1000 + options.openMs - 1, options).granted).toBe(false);
  });

  it('becomes half-open once openMs has passed', () => {
    expect(phaseAt(opened, 1000 + options.openMs)).toBe('half_open');
  });

  it('is held open longer by a failure with a longer Retry-After', () => {
    const held = next(opened, { ...fail, retryAfterMs: 60_000 }, 2000, options).state;
    expect(held.openUntil).toBe(62_000);
  });

  it('opens for at least a Retry-After that came with the tripping failure', () => {
    expect(run([...times(4, fail), [0, { ...fail, retryAfterMs: 30_000 }]]).openUntil).toBe(30_000);
  });
});

describe('half-open', () => {
  const opts = { ...options, openMs: 100, openBackoff: 2, maxOpenMs: 350, halfOpenProbes: 2 };
  const opened = run(times(5, fail), opts);

  it('grants at most halfOpenProbes concurrent probes', () => {
    let s = opened;
    const granted: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const t = next(s, { type: 'probe' }, 100, opts);
      s = t.state;
      granted.push(t.granted);
    }
    expect(granted).toEqual([true, true, false, false, false]);
  });

  it('gives a probe back when its outcome is neutral, or after the lease', () => {
    const one = next(
      next(next(opened, { type: 'probe' }, 100, opts).state, { type: 'probe' }, 100, opts).state,
      { type: 'neutral' },
      100,
      opts,
    );
    expect(next(one.state, { type: 'probe' }, 100, opts).granted).toBe(true);
    const full = next(next(opened, { type: 'probe' }, 100, opts).state, { type: 'probe' }, 100, opts).state;
    expect(next(full, { type: 'probe' }, 100 + PROBE_LEASE_MS, opts).granted).toBe(true);
  });

  it('keeps a probe taken when one key of a pool is set aside (the request goes on with the next key)', () => {
    const full = next(next(opened, { type: 'probe' }, 100, opts).state, { type: 'probe' }, 100, opts).state;
    const keyed = next(full, { type: 'key', key: { position: 1, pool: 3, status: 429 } }, 100, opts).state;
    expect(next(keyed, { type: 'probe' }, 100, opts).granted).toBe(false);
    expect(keyed.keysSetAside).toMatchObject([{ position: 1, pool: 3, status: 429, at: 100 }]);
  });

  it('closes on a success', () => {
    const closed = run(
      [
        [100, { type: 'probe' }],
        [101, ok],
      ],
      opts,
      opened,
    );
    expect(closed.state).toBe('closed');
    expect(closed.window).toEqual([]);
    expect(closed.reopens).toBe(0);
  });

  it('re-opens on a failure, with openBackoff, up to maxOpenMs', () => {
    const again = run(
      [
        [100, { type: 'probe' }],
        [100, fail],
      ],
      opts,
      opened,
    );
    expect(again.state).toBe('open');
    expect(again.openUntil).toBe(100 + 200);
    const third = run(
      [
        [300, { type: 'probe' }],
        [300, fail],
      ],
      opts,
      again,
    );
    expect(third.openUntil).toBe(300 + 350);
  });
});

describe('forced actions', () => {
  it.each([
    ['open', initialState(), 'open'],
    ['close', run(times(5, fail)), 'closed'],
    ['reset', run(times(5, fail)), 'closed'],
  ] as const)('force %s', (action, from, state) => {
    expect(next(from, { type: 'force', action }, 0, options).state.state).toBe(state);
  });
});
