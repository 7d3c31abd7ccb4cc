// An isolate's lease of rpm admissions: granted by a client's object for one second, spent without asking. Pure.

/** Admissions the object granted this isolate in one whole second, not yet spent, and how many it spent there. */
export interface Lease {
  second: number;
  left: number;
  spent: number;
}

/** Admissions one ask may lease at most, whatever the rpm. */
export const MAX_LEASE = 64;

/** Unspent admissions of an earlier second, given back to the object with the next ask. */
export interface Rest {
  second: number;
  count: number;
}

/** `lease` with one admission spent, when it is for `nowSecond` and has one left; undefined otherwise (ask the object). */
export function spend(lease: Lease | undefined, nowSecond: number): Lease | undefined {
  if (lease === undefined || lease.second !== nowSecond || lease.left <= 0) return undefined;
  return { second: lease.second, left: lease.left - 1, spent: lease.spent + 1 };
}

/**
 * How many admissions to ask for: twice what this isolate spent in the lease's second when that is
 * this second or the one before (the client's pace here), at least one, at most the client's share
 * of one second (rpm / 60, so a lease never holds back more than that) and MAX_LEASE. Below 120 rpm,
 * and for a client calling at most once a second, that is always one: each request asks, as
 * without leases.
 */
export function wanted(lease: Lease | undefined, nowSecond: number, rpm: number): number {
  const pace = lease !== undefined && nowSecond - lease.second <= 1 ? lease.spent : 0;
  return Math.max(1, Math.min(2 * pace, Math.floor(rpm / 60), MAX_LEASE));
}

/** The unspent rest of a lease from before `nowSecond`, to give back; undefined when there is none. */
export function restOf(lease: Lease | undefined, nowSecond: number): Rest | undefined {
  return lease !== undefined && lease.second < nowSecond && lease.left > 0 ? { second: lease.second, count: lease.left } : undefined;
}

/**
 * What a request does with this isolate's lease: spend from it, or ask the object for `want`
 * admissions, giving `back` a rest; `lease`: the lease to hold meanwhile.
 */
export type Plan = { kind: 'spend'; lease: Lease } | { kind: 'ask'; want: number; back: Rest | undefined; lease: Lease | undefined };

/**
 * One request's plan. A rest given back is taken out of the held lease at once, so that a request
 * asking meanwhile does not give it back twice.
 */
export function plan(lease: Lease | undefined, nowSecond: number, rpm: number): Plan {
  const spent = spend(lease, nowSecond);
  if (spent !== undefined) return { kind: 'spend', lease: spent };
  const back = restOf(lease, nowSecond);
  const held = back === undefined || lease === undefined ? lease : { ...lease, left: 0 };
  return { kind: 'ask', want: wanted(lease, nowSecond, rpm), back, lease: held };
}

/**
 * The lease once the object granted `granted` admissions counted in `second`, one of them the
 * asking request's own; `rest`: admissions of that grant nobody will spend (a grant for a second
 * older than the lease another request already holds), to give back.
 */
export function afterGrant(lease: Lease | undefined, second: number, granted: number): { lease: Lease; rest?: Rest } {
  if (lease !== undefined && lease.second > second) {
    return granted > 1 ? { lease, rest: { second, count: granted - 1 } } : { lease };
  }
  if (lease !== undefined && lease.second === second) return { lease: { second, left: lease.left + granted - 1, spent: lease.spent + 1 } };
  return { lease: { second, left: granted - 1, spent: 1 } };
}
