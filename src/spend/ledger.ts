// A budget's ledger, as its Durable Object keeps it: what was spent, and what is held for answers not finished yet. Pure.

/** An amount against a budget: tokens (input plus output) and USD. */
export interface Amount {
  tokens: number;
  usd: number;
}

/** The limits of one budget; an absent one is unlimited. */
export interface Limits {
  tokens?: number;
  usd?: number;
}

/** One hold: a request's worst case, or a lease of several, until it is settled or expires. */
export interface Hold {
  amount: Amount;
  /** Epoch ms after which the hold no longer counts (its holder was evicted or never settled). */
  expiresAt: number;
}

export interface Ledger {
  spent: Amount;
  held: Record<string, Hold>;
}

export type Grant =
  | { ok: true; ledger: Ledger; granted: Amount }
  | { ok: false; ledger: Ledger; over: 'tokens' | 'usd'; limit: number; used: number; spent: number };

export const NOTHING: Amount = { tokens: 0, usd: 0 };

/** A lease takes at most this share of what is left, so one isolate cannot hold a budget the others need. */
export const LEASE_SHARE = 0.25;

export const emptyLedger = (): Ledger => ({ spent: NOTHING, held: {} });

/** Sum of two amounts; USD rounded to 1e-8 so sums of small costs do not drift. */
export function add(a: Amount, b: Amount): Amount {
  return { tokens: a.tokens + b.tokens, usd: Math.round((a.usd + b.usd) * 1e8) / 1e8 };
}

/** The ledger without the holds that expired by `now`. */
export function withoutExpired(ledger: Ledger, now: number): Ledger {
  const held: Record<string, Hold> = {};
  let dropped = false;
  for (const [id, hold] of Object.entries(ledger.held)) {
    if (hold.expiresAt > now) held[id] = hold;
    else dropped = true;
  }
  return dropped ? { ...ledger, held } : ledger;
}

/** Spent plus held. */
export function committed(ledger: Ledger): Amount {
  return Object.values(ledger.held).reduce((sum, hold) => add(sum, hold.amount), ledger.spent);
}

/**
 * Holds `want` (a lease), or at least `min` (one request's worst case), under hold `id` until
 * `expiresAt`, when spent plus held plus `min` stays within every limit; else refuses, naming
 * the limit. A lease is cut to what is left and to LEASE_SHARE of it (never below `min`), so the
 * sum of everything granted never exceeds a limit: concurrent requests cannot overshoot.
 */
export function reserve(ledger: Ledger, id: string, min: Amount, want: Amount, limits: Limits, now: number, expiresAt: number): Grant {
  const live = withoutExpired(ledger, now);
  const used = committed(live);
  const room = { tokens: left(limits.tokens, used.tokens), usd: left(limits.usd, used.usd) };
  if (min.tokens > room.tokens && limits.tokens !== undefined) {
    return { ok: false, ledger: live, over: 'tokens', limit: limits.tokens, used: used.tokens, spent: live.spent.tokens };
  }
  if (min.usd > room.usd && limits.usd !== undefined) {
    return { ok: false, ledger: live, over: 'usd', limit: limits.usd, used: used.usd, spent: live.spent.usd };
  }
  const granted = { tokens: cut(min.tokens, want.tokens, room.tokens), usd: cut(min.usd, want.usd, room.usd) };
  const previous = live.held[id]?.amount ?? NOTHING;
  return { ok: true, ledger: { ...live, held: { ...live.held, [id]: { amount: add(previous, granted), expiresAt } } }, granted };
}

/**
 * Settles hold `id` with what it really used: the hold goes, the use is spent. A hold that
 * expired (or never existed) is still spent: the tokens were used.
 */
export function settle(ledger: Ledger, id: string, used: Amount, now: number): Ledger {
  const live = withoutExpired(ledger, now);
  const held = { ...live.held };
  delete held[id];
  return { spent: add(live.spent, used), held };
}

/**
 * Spends part of what hold `id` used while it stays open (a lease reports its finished requests'
 * use every few seconds): the use is spent and the hold shrinks by as much, never below zero.
 */
export function spendFromHold(ledger: Ledger, id: string, used: Amount, now: number): Ledger {
  const live = withoutExpired(ledger, now);
  const hold = live.held[id];
  const spent = add(live.spent, used);
  if (hold === undefined) return { ...live, spent };
  const amount = {
    tokens: Math.max(0, hold.amount.tokens - used.tokens),
    usd: Math.max(0, Math.round((hold.amount.usd - used.usd) * 1e8) / 1e8),
  };
  return { spent, held: { ...live.held, [id]: { ...hold, amount } } };
}

/** One lease's report: what it used since the last one, and whether it is settled (`final`) or stays open. */
export interface UseReport {
  id: string;
  used: Amount;
  final: boolean;
  /** The most the hold still needs (a closed lease's requests in flight): the rest of it is released. */
  keep?: Amount;
}

/** Several leases' reports in one change (an isolate reports all its leases of a period in one call). */
export function applyReports(ledger: Ledger, reports: readonly UseReport[], now: number): Ledger {
  return reports.reduce(
    (l, r) => (r.final ? settle(l, r.id, r.used, now) : shrinkHold(spendFromHold(l, r.id, r.used, now), r.id, r.keep)),
    ledger,
  );
}

/** Hold `id` cut to at most `keep` (unchanged without it, or when it holds less). */
function shrinkHold(ledger: Ledger, id: string, keep: Amount | undefined): Ledger {
  const hold = ledger.held[id];
  if (keep === undefined || hold === undefined) return ledger;
  const amount = { tokens: Math.min(hold.amount.tokens, Math.max(0, keep.tokens)), usd: Math.min(hold.amount.usd, Math.max(0, keep.usd)) };
  return { ...ledger, held: { ...ledger.held, [id]: { ...hold, amount } } };
}

function left(limit: number | undefined, used: number): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - used);
}

/** What a lease gets of one amount: `want` cut to its share of the room, never below `min`. */
function cut(min: number, want: number, room: number): number {
  if (!Number.isFinite(room)) return Math.max(min, want);
  return Math.max(min, Math.min(want, room * LEASE_SHARE));
}
