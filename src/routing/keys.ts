// Key pools: which of a provider's keys a call uses, in turn, skipping keys set aside after the vendor refused them.
import { keyValues, type ResolvedProvider } from '../config/load.ts';
import type { KeySlot } from '../observability/events.ts';

/** The key a call is made with: its value and its slot (position in the pool; null when the provider needs no key). */
export interface KeyChoice {
  value: string | undefined;
  slot: KeySlot | null;
}

/** A provider's key, or why there is none: every secret missing, or every key set aside for now. */
export type KeyPick = KeyChoice | 'missing_key' | 'keys_set_aside';

/** A pool's turn and, per position, until when its key is set aside (epoch ms; 0: usable). */
export interface PoolState {
  next: number;
  asideUntil: number[];
}

/**
 * The position (0-based) of the next key to use: in turn from `state.next`, skipping positions
 * whose secret is missing or whose key is set aside at `now`; advances the turn. Pure but for
 * `state`, which it updates. Undefined when no key can be used.
 */
export function nextPosition(present: readonly boolean[], state: PoolState, now: number): number | undefined {
  const size = present.length;
  for (let step = 0; step < size; step++) {
    const position = (state.next + step) % size;
    if (!present[position] || (state.asideUntil[position] ?? 0) > now) continue;
    state.next = (position + 1) % size;
    return position;
  }
  return undefined;
}

// Per isolate, per provider id: where each pool's turn stands and which keys are set aside.
const pools = new Map<string, PoolState>();

function poolOf(provider: ResolvedProvider): PoolState {
  let state = pools.get(provider.id);
  if (state === undefined || state.asideUntil.length !== provider.keyEnvs.length) {
    state = { next: 0, asideUntil: provider.keyEnvs.map(() => 0) };
    pools.set(provider.id, state);
  }
  return state;
}

/** The key for a call to `provider` now (see `nextPosition`). */
export function keyFor(env: object, provider: ResolvedProvider, now: number): KeyPick {
  if (provider.keyEnvs.length === 0) return { value: undefined, slot: null };
  const values = keyValues(env, provider);
  const present = values.map((v) => v !== undefined);
  if (!present.includes(true)) return 'missing_key';
  const position = nextPosition(present, poolOf(provider), now);
  if (position === undefined) return 'keys_set_aside';
  return { value: values[position], slot: { position: position + 1, pool: values.length } };
}

/** Sets the key at `slot` aside until `until` (epoch ms): calls use the pool's other keys meanwhile. */
export function setKeyAside(provider: ResolvedProvider, slot: KeySlot, until: number): void {
  const state = poolOf(provider);
  state.asideUntil[slot.position - 1] = until;
}

/** Whether a key of the pool could be used now (or none is needed): without taking a turn. */
export function hasKey(env: object, provider: ResolvedProvider, now: number): boolean {
  if (provider.keyEnvs.length === 0) return true;
  const state = poolOf(provider);
  return keyValues(env, provider).some((v, i) => v !== undefined && (state.asideUntil[i] ?? 0) <= now);
}

/** Keys of a provider set aside at `now`, as 1-based positions (the status page names keys by position only). */
export function keysSetAside(provider: ResolvedProvider, now: number): number[] {
  return (pools.get(provider.id)?.asideUntil ?? []).flatMap((until, i) => (until > now ? [i + 1] : []));
}

/** Forgets every pool's state (tests). */
export function forgetKeyPools(): void {
  pools.clear();
}
