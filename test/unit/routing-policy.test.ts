import { describe, expect, it } from 'vitest';
import { attemptOrder, type Balance, type Candidate, EXPLORATION, firstTarget } from '../../src/routing/balance.ts';
import { nextPosition, type PoolState } from '../../src/routing/keys.ts';
import { seeded } from './helpers/seeded.ts';

const c = (weight = 1, latencyMs?: number, drawable = true): Candidate => ({ drawable, weight, latencyMs });

function shares(balance: Balance, candidates: Candidate[], draws = 20_000, seed = 7): number[] {
  const random = seeded(seed);
  const counts = candidates.map(() => 0);
  for (let i = 0; i < draws; i++) {
    const first = firstTarget(balance, candidates, random);
    if (first !== undefined) counts[first] = (counts[first] ?? 0) + 1;
  }
  return counts.map((n) => n / draws);
}

describe('firstTarget', () => {
  it('ordered: the first drawable target', () => {
    expect(firstTarget('ordered', [c(), c()], Math.random)).toBe(0);
    expect(firstTarget('ordered', [c(1, undefined, false), c(), c()], Math.random)).toBe(1);
  });

  it('weighted: shares follow the weights', () => {
    const [a, b, third] = shares('weighted', [c(3), c(1), c(6)]);
    expect(a).toBeCloseTo(0.3, 1);
    expect(b).toBeCloseTo(0.1, 1);
    expect(third).toBeCloseTo(0.6, 1);
  });

  it('weighted: fractional weights and a single target', () => {
    const [a, b] = shares('weighted', [c(0.25), c(0.75)]);
    expect(a).toBeCloseTo(0.25, 1);
    expect(b).toBeCloseTo(0.75, 1);
    expect(shares('weighted', [c(5)])).toEqual([1]);
  });

  it.each<Balance>(['ordered', 'weighted', 'latency'])('%s: never draws a target that is not drawable', (balance) => {
    const candidates = [c(5, 10, false), c(1, 500), c(5, 1, false), c(1, 900)];
    const counts = shares(balance, candidates, 5000);
    expect(counts[0]).toBe(0);
    expect(counts[2]).toBe(0);
    expect((counts[1] ?? 0) + (counts[3] ?? 0)).toBe(1);
  });

  it.each<Balance>(['ordered', 'weighted', 'latency'])('%s: undefined when nothing is drawable', (balance) => {
    expect(firstTarget(balance, [c(1, 5, false), c(1, 5, false)], Math.random)).toBeUndefined();
    expect(firstTarget(balance, [], Math.random)).toBeUndefined();
  });

  it('latency: the fastest, but for the exploration share', () => {
    const [slow, fast, middle] = shares('latency', [c(1, 900), c(1, 120), c(1, 400)]);
    // Exploration picks uniformly among the three, the fastest included.
    expect(fast).toBeCloseTo(1 - EXPLORATION + EXPLORATION / 3, 2);
    expect(slow).toBeCloseTo(EXPLORATION / 3, 2);
    expect(middle).toBeCloseTo(EXPLORATION / 3, 2);
  });

  it('latency: a target never measured is tried before measured ones are compared', () => {
    const random = () => 0.5;
    expect(firstTarget('latency', [c(1, 100), c(1, undefined), c(1, 50)], random)).toBe(1);
  });

  it('a pinned target wins while it is drawable, whatever the policy', () => {
    const random = seeded(1);
    for (const balance of ['ordered', 'weighted', 'latency'] as const) {
      expect(firstTarget(balance, [c(9, 1), c(1, 900)], random, 1)).toBe(1);
      expect(firstTarget(balance, [c(9, 1), c(1, 900, false)], random, 1)).toBe(0);
    }
    expect(firstTarget('weighted', [c(), c()], random, 7)).toBeDefined();
  });
});

describe('attemptOrder', () => {
  it.each([
    [3, 0, [0, 1, 2]],
    [3, undefined, [0, 1, 2]],
    [3, 2, [2, 0, 1]],
    [4, 1, [1, 0, 2, 3]],
  ])('%i targets, first %s', (count, first, order) => {
    expect(attemptOrder(count, first)).toEqual(order);
  });
});

describe('nextPosition', () => {
  const pool = (size: number): PoolState => ({ next: 0, asideUntil: Array.from({ length: size }, () => 0) });

  it('takes the keys in turn', () => {
    const state = pool(3);
    expect([0, 1, 2, 3, 4].map(() => nextPosition([true, true, true], state, 0))).toEqual([0, 1, 2, 0, 1]);
  });

  it('skips keys whose secret is missing', () => {
    const state = pool(3);
    expect([0, 1, 2, 3].map(() => nextPosition([true, false, true], state, 0))).toEqual([0, 2, 0, 2]);
  });

  it('skips a key set aside until its time is up', () => {
    const state = pool(2);
    state.asideUntil[0] = 1000;
    expect([nextPosition([true, true], state, 10), nextPosition([true, true], state, 20)]).toEqual([1, 1]);
    expect(nextPosition([true, true], state, 1000)).toBe(0);
  });

  it('undefined when every key is missing or set aside', () => {
    const state = pool(2);
    state.asideUntil[1] = 50;
    expect(nextPosition([false, true], state, 10)).toBeUndefined();
    expect(nextPosition([false, true], state, 50)).toBe(1);
  });
});
