// A small seeded PRNG (mulberry32) and the picks built on it, so generated runs reproduce from their seed.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An element chosen by weight: `[[3, 'a'], [1, 'b']]` gives 'a' three times in four. */
  weighted<T>(table: readonly (readonly [number, T])[]): T;
}

/** A generator fully determined by `seed` (any 32-bit integer). */
export function seeded(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(list: readonly T[]): T => {
      if (list.length === 0) throw new Error('pick from an empty list');
      return list[int(0, list.length - 1)] as T;
    },
    chance: (p) => next() < p,
    weighted: <T>(table: readonly (readonly [number, T])[]): T => {
      const total = table.reduce((sum, [w]) => sum + w, 0);
      let at = next() * total;
      for (const [w, value] of table) {
        if (at < w) return value;
        at -= w;
      }
      const last = table.at(-1);
      if (last === undefined) throw new Error('weighted pick from an empty table');
      return last[1];
    },
  };
}

/** The seed `value` names (an environment variable), else a fresh one from the clock; the caller prints it. */
export function seedFrom(value: string | undefined): number {
  if (value !== undefined && value !== '' && Number.isFinite(Number(value))) return Number(value) >>> 0;
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}
