// A small isolate-local map for limiter shortcuts, emptied when it grows past a bound.

/** Entries kept per map before it is emptied (each is a few dozen bytes; old ones are never read again). */
const MAX_ENTRIES = 10_000;

/** Sets `key`, first emptying the map if it is full: memos are shortcuts, losing them costs one object call. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) map.clear();
  map.set(key, value);
}
