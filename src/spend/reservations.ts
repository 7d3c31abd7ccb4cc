// The caller side of budgets: a request's worst case reserved from a lease this isolate holds, settled with its real use.
import { failOpen } from '../limits/fail-open.ts';
import { withTimeout } from '../timeout.ts';
import type { BudgetObject } from './budget-object.ts';
import {
  closingKeep,
  countRequest,
  draw,
  expectedRequests,
  giveBack,
  LEASE_OPEN_MS,
  type Lease,
  leaseSize,
  newLease,
  remaining,
  settleable,
  takeUnreported,
  wantsRenewal,
} from './lease.ts';
import { type Amount, add, type Limits, NOTHING, type UseReport } from './ledger.ts';

type Budgets = DurableObjectNamespace<BudgetObject>;
type Background = (promise: Promise<unknown>) => void;

/** Finished requests' use is reported to a budget's object at most this often per isolate and period. */
export const REPORT_EVERY_MS = 2000;

/** How long a lease takes requests, and how often use is reported: constants, shortened by tests (`setLeaseTiming`). */
const timing = { openMs: LEASE_OPEN_MS, reportMs: REPORT_EVERY_MS };

/** Shortens a lease's open window and the report interval (tests); undefined restores the defaults. */
export function setLeaseTiming(next?: { openMs: number; reportMs: number }): void {
  timing.openMs = next?.openMs ?? LEASE_OPEN_MS;
  timing.reportMs = next?.reportMs ?? REPORT_EVERY_MS;
}

/** One budget period of a client: its object and limits. */
export interface Period {
  kind: 'day' | 'minute';
  /** The object's name: `<client>@<day>` or `<client>@tpm@<minute>`. */
  name: string;
  limits: Limits;
  /** No lease outlives it (a minute window's end). */
  endsAt: number;
  /** When the object may forget the period. */
  forgetAt: number;
}

/** Why a request did not fit a period. */
export interface Refused {
  period: Period;
  over: 'tokens' | 'usd';
  limit: number;
  /** Spent plus held when it was refused. */
  used: number;
  /** Spent alone: when it leaves no room, nothing can fit again before the period ends. */
  spent: number;
  /**
   * Whether spending alone leaves no room for the request: the refusal stands until the period ends.
   * Else what other requests hold refused it, and room may return within seconds as they settle.
   */
  lasting: boolean;
}

// The last refusal of each period this isolate saw, so requests that cannot fit are refused without
// an object call: what spending alone leaves no room for, until the period ends (spending only
// grows); what spending and holds left no room for, briefly (holds settle and free room).
const refusals = new Map<string, { refused: Omit<Refused, 'lasting'>; at: number; briefUntil: number }>();
const BRIEF_REFUSAL_MS = 2000;
/** For this long after a refusal, the period counts as nearly spent: an object that does not answer then refuses. */
const NEAR_END_MS = 60_000;

/** What a request holds in each period, given back with its real use when it ends. */
export interface Reservation {
  finish(actual: Amount): void;
}

interface Pool {
  period: Period;
  leases: Lease[];
  /** Requests this isolate saw in about the last lease window (`countRequest`), for lease sizes. */
  recent: number;
  /** When the pool saw its first request, and its last. */
  since: number;
  lastAt: number;
  /**
   * The lease being asked for, on a request's path or as a renewal: a request finding no room waits
   * for it rather than asking its own, so an isolate has one ask on its way at a time and a burst of
   * requests (a cold isolate, a busy minute) costs the object one call, not one per request.
   */
  asking: Promise<Asked> | undefined;
  /** No background renewal before then: the object did not answer the last ask in time (it may be overloaded). */
  quietUntil: number;
  reporting: boolean;
}

/**
 * What asking for a lease gave: a lease (in the pool), a refusal (with the request it was asked for:
 * a smaller request waiting for the same ask may still fit), or no answer in time.
 */
type Asked = Lease | (Omit<Refused, 'lasting'> & { min: Amount }) | 'unanswered';

// Per isolate, per period: the leases it holds. Bounded like every other isolate memo.
const pools = new Map<string, Pool>();
const MAX_POOLS = 10_000;
/** How long past a request's wait a lease's grant is still awaited (in the background) to join the pool. */
const LATE_GRANT_MS = 2000;
/** Asks a request waits through (its isolate's or its own) before it asks a lease for itself alone. */
const SHARED_ASKS = 3;

function poolOf(period: Period, now: number): Pool {
  let pool = pools.get(period.name);
  if (pool === undefined) {
    if (pools.size >= MAX_POOLS) pools.clear();
    pool = { period, leases: [], recent: 0, since: now, lastAt: now, asking: undefined, quietUntil: 0, reporting: false };
    pools.set(period.name, pool);
  }
  pool.recent = countRequest(pool.recent, now - pool.lastAt, timing.openMs);
  pool.lastAt = now;
  return pool;
}

/** The context of one reservation: the namespace, how long a hold may outlive its lease, the request's background. */
export interface ReserveContext {
  budgets: Budgets | undefined;
  /** The longest a request may run: a lease's hold at the object outlives its open window by this. */
  holdMs: number;
  background: Background;
}

/** The refusal this isolate remembers for `period` that stands for a request of `worst`, if any. */
function rememberedRefusal(period: Period, worst: Amount, now: number): Refused | undefined {
  const known = refusals.get(period.name);
  if (known === undefined) return undefined;
  const { over, limit, used, spent } = known.refused;
  const need = over === 'tokens' ? worst.tokens : worst.usd;
  if (spent + need > limit) return { ...known.refused, lasting: true };
  if (now < known.briefUntil && used + need > limit) return { ...known.refused, lasting: false };
  return undefined;
}

/** Remembers a refusal the period's object answered (see `refusals`): briefly, or until the period ends. */
function remember(refused: Omit<Refused, 'lasting'>, now: number): void {
  const { period, over, limit, used, spent } = refused;
  if (refusals.size >= MAX_POOLS) refusals.clear();
  refusals.set(period.name, { refused: { period, over, limit, used, spent }, at: now, briefUntil: now + BRIEF_REFUSAL_MS });
}

/**
 * Reserves `worst` in every period: from a lease the isolate holds when one has room (no object
 * call), else from the lease its isolate is asking for, or a new one the period's object grants
 * (one call, while the request waits). A lease running low is renewed in the background. Answers
 * the refusal of the first period the request does not fit (what it took elsewhere is given back);
 * an object that fails or is slow lets the request through (resilience infrastructure must not
 * become the outage), unless it refused in the last minute (see `reserveIn`).
 */
export async function reserveWorst(
  ctx: ReserveContext,
  periods: readonly Period[],
  worst: Amount,
  now: number,
): Promise<Reservation | Refused> {
  const taken: { pool: Pool; lease: Lease }[] = [];
  const giveAll = (actual: Amount): void => {
    for (const { pool, lease } of taken) {
      giveBack(lease, worst, actual);
      report(ctx, pool, worst);
    }
  };
  for (const period of periods) {
    const pool = poolOf(period, now);
    const reserved = await reserveIn(ctx, pool, worst, now);
    if (reserved === 'unanswered') continue;
    if ('over' in reserved) {
      giveAll(NOTHING);
      return reserved;
    }
    taken.push({ pool, lease: reserved });
    // Renewed once: not while an ask is on its way, nor when the pool already holds a lease not running low.
    if (renewable(pool, worst, now)) ctx.background(askShared(ctx, pool, worst, now));
  }
  return { finish: giveAll };
}

/**
 * Whether to ask the next lease in the background: once, when no ask is on its way, every lease of
 * the pool runs low, no refusal stands for a request like this one (a renewal refused would be asked
 * again by every request), and the object answered the pool's last ask in time.
 */
function renewable(pool: Pool, worst: Amount, now: number): boolean {
  if (pool.asking !== undefined || now < pool.quietUntil || rememberedRefusal(pool.period, worst, now) !== undefined) return false;
  return pool.leases.every((l) => wantsRenewal(l, now));
}

/** `worst` drawn from a lease of the pool, waiting for asks as needed; a refusal; or no answer from the object. */
async function reserveIn(ctx: ReserveContext, pool: Pool, worst: Amount, now: number): Promise<Lease | Refused | 'unanswered'> {
  for (let asks = 0; ; asks++) {
    // A refusal this isolate remembers stands for requests that do not fit the room it left.
    const known = rememberedRefusal(pool.period, worst, now);
    if (known !== undefined) return known;
    const lease = pool.leases.find((l) => draw(l, worst, now));
    if (lease !== undefined) return lease;
    const mine = pool.asking === undefined;
    const asked = await (asks < SHARED_ASKS ? (pool.asking ?? askShared(ctx, pool, worst, now)) : askLease(ctx, pool, worst, now));
    // An object that did not answer lets through every request that waited for it, unless it refused
    // this period within the last minute: the budget is nearly spent, and an object slowed by the asks
    // of its last seconds must not let them all through. They are refused briefly, as if it had answered.
    if (asked === 'unanswered') {
      const known = refusals.get(pool.period.name);
      return known !== undefined && now < known.at + NEAR_END_MS ? { ...known.refused, lasting: false } : asked;
    }
    if ('over' in asked) {
      // A refusal of an ask made for a smaller request does not stand for this one: the next round says.
      if (!mine && (worst.tokens < asked.min.tokens || worst.usd < asked.min.usd)) continue;
      return rememberedRefusal(pool.period, worst, now) ?? { ...asked, lasting: false };
    }
  }
}

let leaseCounter = 0;

/** Asks a lease as the pool's one ask on its way, which requests finding no room wait for. */
function askShared(ctx: ReserveContext, pool: Pool, worst: Amount, now: number): Promise<Asked> {
  const asking: Promise<Asked> = askLease(ctx, pool, worst, now).finally(() => {
    if (pool.asking === asking) pool.asking = undefined;
  });
  pool.asking = asking;
  return asking;
}

/**
 * A new lease from the period's object, added to the pool; `unanswered` when the object could not
 * be asked in time (fail open). A grant that arrives after the caller stopped waiting still joins
 * the pool, so what the object holds for it is used and settled, not left held until it expires.
 */
async function askLease(ctx: ReserveContext, pool: Pool, worst: Amount, now: number): Promise<Asked> {
  const { budgets } = ctx;
  const { period } = pool;
  const id = `${now.toString(36)}-${(leaseCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const openUntil = Math.min(now + timing.openMs, period.endsAt);
  const want = leaseSize(worst, expectedRequests(pool.recent, now - pool.since, timing.openMs) - servable(pool, worst, now));
  const call =
    budgets &&
    Promise.resolve().then(() =>
      budgets.getByName(period.name).reserve(id, worst, want, period.limits, openUntil + ctx.holdMs, period.forgetAt),
    );
  const reply = await failOpen('budget', call && (() => call));
  if (reply === undefined) {
    pool.quietUntil = now + BRIEF_REFUSAL_MS;
    if (call !== undefined) {
      const late = withTimeout(call, LATE_GRANT_MS, 'budget');
      ctx.background(late.then((r) => r.refusal === undefined && adopt(ctx, pool, newLease(id, r.granted, now, openUntil), worst), noop));
    }
    return 'unanswered';
  }
  if (reply.refusal !== undefined) {
    const refused = { period, ...reply.refusal };
    remember(refused, now);
    return { ...refused, min: worst };
  }
  const lease = newLease(id, reply.granted, now, openUntil);
  pool.leases.push(lease);
  return lease;
}

/** How many more requests of `worst` the pool's open leases can take. */
function servable(pool: Pool, worst: Amount, now: number): number {
  let n = 0;
  for (const lease of pool.leases) if (now < lease.openUntil) n += Math.floor(remaining(lease).tokens / Math.max(1, worst.tokens));
  return n;
}

/** A late grant: it joins the pool and the report loop, which settles it once it closes. */
function adopt(ctx: ReserveContext, pool: Pool, lease: Lease, worst: Amount): void {
  pool.leases.push(lease);
  report(ctx, pool, worst);
}

const noop = (): void => {};

/**
 * Reports finished requests' use to the period's object, batched: one call for every lease of the
 * pool at most every REPORT_EVERY_MS, in the background of the request that finished. A lease that closed (or cannot
 * take another request) with nothing in flight is settled, which releases what it still held; the
 * report goes on every REPORT_EVERY_MS until the pool's leases are settled (a lease closes ten
 * seconds after it opened).
 */
function report(ctx: ReserveContext, pool: Pool, nextWorst: Amount): void {
  if (pool.reporting) return;
  pool.reporting = true;
  const budgets = ctx.budgets;
  const flush = async (): Promise<void> => {
    try {
      while (pool.leases.length > 0) {
        // A lease that can take no more requests and has none in flight is settled at once (it holds
        // budget others may need); otherwise use is reported every `reportMs`.
        if (!pool.leases.some((l) => settleable(l, Date.now(), nextWorst)))
          await new Promise((resolve) => setTimeout(resolve, timing.reportMs));
        const now = Date.now();
        const reports: UseReport[] = [];
        for (const lease of [...pool.leases]) {
          const final = settleable(lease, now, nextWorst);
          const used = takeUnreported(lease);
          if (final) {
            pool.leases.splice(pool.leases.indexOf(lease), 1);
            // Settling frees what the lease held: a brief refusal remembered here no longer stands.
            const known = refusals.get(pool.period.name);
            if (known !== undefined) known.briefUntil = 0;
          }
          const keep = final ? undefined : closingKeep(lease, now);
          if (final || keep !== undefined || used.tokens > 0 || used.usd > 0)
            reports.push({ id: lease.id, used, final, ...(keep && { keep }) });
        }
        // Every lease of the pool in one call.
        if (budgets !== undefined && reports.length > 0) {
          const { name, forgetAt } = pool.period;
          await failOpen('budget', () => budgets.getByName(name).report(reports, forgetAt));
        }
      }
    } finally {
      pool.reporting = false;
    }
  };
  ctx.background(flush());
}

/** The use of an answer against a budget: its tokens and its cost. */
export function amountOf(tokens: number, usd: number | undefined): Amount {
  return add(NOTHING, { tokens, usd: usd ?? 0 });
}

/** Forgets every lease and remembered refusal (tests). */
export function forgetLeases(): void {
  pools.clear();
  refusals.clear();
}
