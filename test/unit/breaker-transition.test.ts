// Which breaker changes are transitions worth an event line, and the words that say why.
import { describe, expect, it } from 'vitest';
import { type BreakerEvent, type BreakerState, initialState, next } from '../../src/breaker/policy.ts';
import { changeOf } from '../../src/breaker/transition.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';

const options = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
const fail: BreakerEvent = { type: 'failure', ms: 10, kind: 'http:503' };
const ok: BreakerEvent = { type: 'success', ms: 10 };

/** Applies events at time 0; returns the state before the last one, the last one, and the change it made. */
function lastChange(events: BreakerEvent[], at = 0, start = initialState(), opts = options) {
  let state: BreakerState = start;
  let change: ReturnType<typeof changeOf>;
  for (const event of events) {
    const after = next(state, event, at, opts).state;
    change = changeOf(state, after, event, at, opts);
    state = after;
  }
  return { state, change };
}

const opened = lastChange(Array(5).fill(fail)).state;

describe('changeOf', () => {
  it.each<[string, BreakerEvent[], number, BreakerState, ReturnType<typeof changeOf>]>([
    ['a failure short of tripping', Array(4).fill(fail), 0, initialState(), undefined],
    [
      'the fifth failure in a row',
      Array(5).fill(fail),
      0,
      initialState(),
      { from: 'closed', to: 'open', why: '5 consecutive failures (last: http:503); open for 15 s', nextProbeAt: 15_000 },
    ],
    ['a success while closed', [ok], 0, initialState(), undefined],
    ['a refused probe while open', [{ type: 'probe' }], 1000, opened, undefined],
    ['another failure while open', [fail], 1000, opened, undefined],
    [
      'the first probe once the open time is over',
      [{ type: 'probe' }],
      15_000,
      opened,
      { from: 'open', to: 'half_open', why: 'open time over; one probe let through' },
    ],
    ['a success once the open time is over', [ok], 15_000, opened, { from: 'half_open', to: 'closed', why: 'a probe succeeded' }],
    [
      'a failed probe',
      [{ type: 'probe' }, fail],
      15_000,
      opened,
      { from: 'half_open', to: 'open', why: 'a probe failed (http:503); open for 15 s, re-open #1', nextProbeAt: 30_000 },
    ],
    [
      'an admin forcing it open',
      [{ type: 'force', action: 'open' }],
      0,
      initialState(),
      { from: 'closed', to: 'open', why: 'forced open by an admin', nextProbeAt: 15_000 },
    ],
    ['an admin closing a closed breaker', [{ type: 'force', action: 'close' }], 0, initialState(), undefined],
    [
      'an admin resetting an open one',
      [{ type: 'force', action: 'reset' }],
      1000,
      opened,
      { from: 'open', to: 'closed', why: 'forced reset by an admin' },
    ],
  ])('after %s', (_name, events, at, start, change) => {
    expect(lastChange(events, at, start).change).toEqual(change);
  });

  it('says when the failure rate, not a run of failures, opened it', () => {
    const events: BreakerEvent[] = [ok, fail, ok, fail, ok, fail];
    expect(lastChange(events).change?.why).toBe('3 of the last 6 calls failed (50%, limit 50%; last: http:503); open for 15 s');
  });

  it("says when the vendor's Retry-After holds it open longer", () => {
    const events: BreakerEvent[] = [...Array(4).fill(fail), { ...fail, kind: 'http:429', retryAfterMs: 60_000 }];
    expect(lastChange(events).change).toMatchObject({
      why: "5 consecutive failures (last: http:429); open for 60 s (the vendor's Retry-After)",
      nextProbeAt: 60_000,
    });
  });
});
