// A small seeded generator for property-style tests: the same seed always gives the same cases.

/** A PRNG (mulberry32) giving uniform numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function int(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** One element of a non-empty list. */
export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[int(random, list.length)] as T;
}

/** The list in a random order. */
export function shuffle<T>(random: () => number, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(random, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The object with its keys in a random order (values untouched). */
export function reorder<T extends Record<string, unknown>>(random: () => number, value: T): T {
  return Object.fromEntries(shuffle(random, Object.entries(value))) as T;
}

/** A few fields no protocol knows, with nested values, to be carried as sent. */
export function unknownFields(random: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = 1 + int(random, 3);
  for (let i = 0; i < count; i++) {
    const name = `x_vendor_${int(random, 1000)}_${i}`;
    out[name] = pick(random, [true, 0, 'on', null, { nested: [1, { deep: 'x' }] }, ['a', 2]]);
  }
  return out;
}
