// The isolate side's timing constants, read from src/ so the simulation cannot drift from the code it mirrors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LEASE_OPEN_MS } from '../../src/spend/lease.ts';

const SRC = path.resolve(import.meta.dirname, '..', '..', 'src');

/**
 * A numeric `const NAME = 1_000;` of a source file. reservations.ts and fail-open.ts import the
 * Workers runtime, so Node cannot load them; their constants are read as text instead, and a
 * renamed constant stops the simulation rather than letting it run on a stale value.
 */
function constantOf(file: string, name: string): number {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const match = new RegExp(`const ${name} = ([0-9_]+);`).exec(text);
  if (match?.[1] === undefined) throw new Error(`budget-sim: no "const ${name} = <number>;" in src/${file}`);
  return Number(match[1].replaceAll('_', ''));
}

/** Timing of leases, reports and object calls, as src/spend and src/limits define them. */
export interface Timing {
  /** How long a lease takes new requests (lease.ts LEASE_OPEN_MS). */
  openMs: number;
  /** How often an isolate reports its use per period (reservations.ts REPORT_EVERY_MS). */
  reportMs: number;
  /** How long an isolate remembers a refusal that settling may undo (reservations.ts BRIEF_REFUSAL_MS). */
  briefRefusalMs: number;
  /** How long a request waits for a budget object before going ahead without it (fail-open.ts LIMITER_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * How long a lease's hold outlives its open window at the object (pipeline/budget.ts: deadlineMs +
   * 2 × attemptTimeoutMs), with the config's defaults (100 s and 120 s).
   */
  holdMs: number;
}

/** Asks a request waits through before it asks a lease for itself alone (reservations.ts). */
export const SHARED_ASKS = constantOf('spend/reservations.ts', 'SHARED_ASKS');
/** How long after a refusal an unanswered ask refuses rather than lets the request through (reservations.ts). */
export const NEAR_END_MS = constantOf('spend/reservations.ts', 'NEAR_END_MS');

export function timingFromSource(): Timing {
  return {
    openMs: LEASE_OPEN_MS,
    reportMs: constantOf('spend/reservations.ts', 'REPORT_EVERY_MS'),
    briefRefusalMs: constantOf('spend/reservations.ts', 'BRIEF_REFUSAL_MS'),
    timeoutMs: constantOf('limits/fail-open.ts', 'LIMITER_TIMEOUT_MS'),
    holdMs: 100_000 + 2 * 120_000,
  };
}
