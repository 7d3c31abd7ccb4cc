// A lease: a chunk of a budget an isolate holds at the budget's object, so most requests reserve without calling it. Pure.
import { type Amount, add, NOTHING } from './ledger.ts';

/** How long a lease takes new requests. After it, it is settled as soon as its requests have finished. */
export const LEASE_OPEN_MS = 10_000;
/** A lease is renewed in the background once less than this share of it is left. */
export const RENEW_BELOW = 0.5;
/** ... or once less than this share of its open window is left (so the next one is ready when it closes). */
const RENEW_CLOSING = 0.2;
/** The most requests one lease is sized for. */
const MAX_REQUESTS_PER_LEASE = 1000;

export interface Lease {
  /** The hold's id at the budget's object. */
  id: string;
  granted: Amount;
  /** The worst cases of requests in flight plus the real use of those that finished. */
  taken: Amount;
  /** Real use of the finished requests: what is settled. */
  used: Amount;
  /** The part of `used` already reported to the budget's object. */
  reported: Amount;
  inFlight: number;
  /** Closed with requests still in flight, and its unused part given back to the object (`closingReport`). */
  released: boolean;
  /** New requests may draw from it from then until `openUntil` (epoch ms). */
  openedAt: number;
  openUntil: number;
}

export function newLease(id: string, granted: Amount, now: number, openUntil = now + LEASE_OPEN_MS): Lease {
  return { id, granted, taken: NOTHING, used: NOTHING, reported: NOTHING, inFlight: 0, released: false, openedAt: now, openUntil };
}

/** What is left of a lease for new requests. */
export function remaining(lease: Lease): Amount {
  return { tokens: lease.granted.tokens - lease.taken.tokens, usd: lease.granted.usd - lease.taken.usd };
}

/** Takes a request's worst case from the lease when it is open and holds enough; true when it did. */
export function draw(lease: Lease, worst: Amount, now: number): boolean {
  const left = remaining(lease);
  if (now >= lease.openUntil || worst.tokens > left.tokens || worst.usd > left.usd) return false;
  lease.taken = add(lease.taken, worst);
  lease.inFlight++;
  return true;
}

/** A request that drew `worst` finished having used `actual`: the difference returns to the lease. */
export function giveBack(lease: Lease, worst: Amount, actual: Amount): void {
  lease.taken = add(lease.taken, { tokens: actual.tokens - worst.tokens, usd: actual.usd - worst.usd });
  lease.used = add(lease.used, actual);
  lease.inFlight--;
}

/** Use not reported to the budget's object yet; marks it reported. */
export function takeUnreported(lease: Lease): Amount {
  const delta = { tokens: lease.used.tokens - lease.reported.tokens, usd: Math.round((lease.used.usd - lease.reported.usd) * 1e8) / 1e8 };
  lease.reported = lease.used;
  return delta;
}

/** Whether the lease can be settled: closed (or unable to take another request) with nothing in flight. */
export function settleable(lease: Lease, now: number, nextWorst: Amount): boolean {
  if (lease.inFlight > 0) return false;
  const left = remaining(lease);
  return now >= lease.openUntil || left.tokens < nextWorst.tokens || left.usd < nextWorst.usd;
}

/** Whether a new lease should be asked for in the background (this one is running low or closing). */
export function wantsRenewal(lease: Lease, now: number): boolean {
  const left = remaining(lease);
  const low = left.tokens < lease.granted.tokens * RENEW_BELOW || left.usd < lease.granted.usd * RENEW_BELOW;
  return low || lease.openUntil - now < (lease.openUntil - lease.openedAt) * RENEW_CLOSING;
}

/**
 * What a closed lease with requests in flight still needs held: their worst cases (taken minus the
 * use of those that finished). Undefined while it is open, once it was released, or when nothing is
 * in flight (it is settled instead). The rest of its hold is given back at once, not when its last
 * request ends: a long answer must not keep a whole lease's worth of the budget from the others.
 */
export function closingKeep(lease: Lease, now: number): Amount | undefined {
  if (now < lease.openUntil || lease.released || lease.inFlight === 0) return undefined;
  lease.released = true;
  return { tokens: lease.taken.tokens - lease.used.tokens, usd: Math.round((lease.taken.usd - lease.used.usd) * 1e8) / 1e8 };
}

/**
 * Requests an isolate saw recently: `count` as it stood `elapsedMs` ago, decayed over a lease's open
 * window, plus the one arriving now. At a steady rate it settles at the requests of one window, the
 * requests the next lease should serve. (An average of 1000 / gap would not do: Poisson gaps are
 * often near zero, so it runs far above the real rate and a cold isolate's first lease would hold
 * a thousand requests' worth of a budget others need.)
 */
export function countRequest(count: number, elapsedMs: number, windowMs: number): number {
  return count * Math.exp(-Math.max(0, elapsedMs) / windowMs) + 1;
}

/**
 * The requests an isolate should expect over the next lease window: its `countRequest` count, scaled
 * up while the count is younger than a window (`ageMs` since its first request) and so still short of
 * the rate's steady value; an age under a second counts as one, so a cold isolate's first lease is
 * at most about ten requests' worth.
 */
export function expectedRequests(count: number, ageMs: number, windowMs: number): number {
  return count / (1 - Math.exp(-Math.max(1000, ageMs) / windowMs));
}

/**
 * The size of lease to ask for: the worst case of the requests this isolate expects while a lease is
 * open (as many as it saw in the last window, `countRequest`), at least one request's. The budget's
 * object cuts it to a share of what is left.
 */
export function leaseSize(worst: Amount, expectedRequests: number): Amount {
  const requests = Math.min(MAX_REQUESTS_PER_LEASE, Math.max(1, Math.ceil(expectedRequests)));
  return { tokens: worst.tokens * requests, usd: worst.usd * requests };
}
