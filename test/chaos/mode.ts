// How big the chaos run is: `CHAOS=full` for the README figures, the short default for CI.

export interface ChaosMode {
  name: 'short' | 'full';
  /** The load phase stops at whichever bound comes first. */
  maxRequests: number;
  maxMs: number;
  /** Requests in flight at once (closed loop). */
  concurrency: number;
  /** Pieces of ~1 KB in the very long streamed answer of the memory check. */
  memoryRepeat: number;
  /** The slow reader of the memory check pauses this long after every 64 KiB. */
  memoryPauseMs: number;
  /** Seed of the request plan (CHAOS_SEED overrides). */
  seed: number;
}

/** Reads CHAOS (`full`, else short), CHAOS_SEED and CHAOS_MS (the load phase's time bound). */
export function chaosMode(): ChaosMode {
  const full = process.env.CHAOS === 'full';
  const seed = process.env.CHAOS_SEED === undefined ? 20261124 : Number(process.env.CHAOS_SEED);
  const mode: ChaosMode = full
    ? { name: 'full', maxRequests: 20_000, maxMs: 150_000, concurrency: 16, memoryRepeat: 60_000, memoryPauseMs: 40, seed }
    : // Long enough to outlast the sockets' buffers (some 20 MB), so the live heap is read mid-relay.
      { name: 'short', maxRequests: 1500, maxMs: 25_000, concurrency: 12, memoryRepeat: 30_000, memoryPauseMs: 20, seed };
  if (process.env.CHAOS_MS !== undefined) mode.maxMs = Number(process.env.CHAOS_MS);
  return mode;
}
