// The caller side of budgets: a request's worst case reserved from a lease this isolate holds, settled with its real use.
import { failOpen } from '../limits/fail-open.ts';
import type { BudgetObject } from './budget-object.ts';
import { draw, giveBack, LEASE_OPEN_MS, type Lease, leaseSize, newLease, settleable, takeUnreported, wantsRenewal } from './lease.ts';
import { type Amount, add, type Limits, NOTHING } from './ledger.ts';

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
}

// Refusals this isolate remembers, so a client over its budget is refused without an object call:
// until the period ends when spending alone leaves no room (spending only grows), else briefly
// (holds settle and free room).
const refusedUntil = new Map<string, { until: number; refused: Refused; worst: Amount; lasting: boolean }>();
const BRIEF_REFUSAL_MS = 1000;

/** What a request holds in each period, given back with its real use when it ends. */
export interface Reservation {
  finish(actual: Amount): void;
}

interface Pool {
  period: Period;
  leases: Lease[];
  /** Requests per second through this isolate (moving average), for lease sizes. */
  rate: number;
  lastAt: number;
  renewing: boolean;
  reporting: boolean;
}

// Per isolate, per period: the leases it holds. Bounded like every other isolate memo.
const pools = new Map<string, Pool>();
const MAX_POOLS = 10_000;

function poolOf(period: Period, now: number): Pool {
  let pool = pools.get(period.name);
  if (pool === undefined) {
    if (pools.size >= MAX_POOLS) pools.clear();
    pool = { period, leases: [], rate: 0, lastAt: now, renewing: false, reporting: false };
    pools.set(period.name, pool);
  }
  const gap = Math.max(1, now - pool.lastAt);
  pool.rate = pool.rate * 0.8 + (1000 / gap) * 0.2;
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

/**
 * Reserves `worst` in every period: from a lease the isolate holds when one has room (no object
 * call), else from a new lease the period's object grants (one call, while the request waits).
 * A lease running low is renewed in the background. Answers the refusal of the first period the
 * request does not fit (what it took elsewhere is given back); an object that fails or is slow
 * lets the request through (resilience infrastructure must not become the outage).
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
    // A refusal this isolate remembers stands for requests at least as large as the refused one.
    const known = refusedUntil.get(period.name);
    if (known !== undefined && now < known.until && worst.tokens >= known.worst.tokens && worst.usd >= known.worst.usd) {
      giveAll(NOTHING);
      return known.refused;
    }
    const pool = poolOf(period, now);
    let lease = pool.leases.find((l) => draw(l, worst, now));
    if (lease === undefined) {
      const asked = await askLease(ctx, period, pool, worst, now);
      if (asked === 'refused') continue;
      if ('over' in asked) {
        giveAll(NOTHING);
        const spentOut =
          asked.period.limits[asked.over] !== undefined && asked.spent + (asked.over === 'tokens' ? worst.tokens : worst.usd) > asked.limit;
        if (refusedUntil.size >= MAX_POOLS) refusedUntil.clear();
        refusedUntil.set(period.name, {
          until: spentOut ? period.endsAt : now + BRIEF_REFUSAL_MS,
          refused: asked,
          worst,
          lasting: spentOut,
        });
        return asked;
      }
      lease = asked;
      draw(lease, worst, now);
    }
    taken.push({ pool, lease });
    // Renewed once: not while a renewal is on its way, nor when the pool already holds a lease not running low.
    if (!pool.renewing && pool.leases.every((l) => wantsRenewal(l, now))) renew(ctx, period, pool, worst, now);
  }
  return { finish: giveAll };
}

let leaseCounter = 0;

/** A new lease from the period's object; `refused` when the object could not be asked (fail open). */
async function askLease(ctx: ReserveContext, period: Period, pool: Pool, worst: Amount, now: number): Promise<Lease | Refused | 'refused'> {
  const budgets = ctx.budgets;
  const id = `${now.toString(36)}-${(leaseCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const openUntil = Math.min(now + timing.openMs, period.endsAt);
  const want = leaseSize(worst, pool.rate);
  const reply = await failOpen(
    'budget',
    budgets && (() => budgets.getByName(period.name).reserve(id, worst, want, period.limits, openUntil + ctx.holdMs, period.forgetAt)),
  );
  if (reply === undefined) return 'refused';
  if (reply.refusal !== undefined) return { period, ...reply.refusal };
  const lease = newLease(id, reply.granted, now, openUntil);
  pool.leases.push(lease);
  return lease;
}

/** Asks for the next lease in the background, so the request after this one finds it ready. */
function renew(ctx: ReserveContext, period: Period, pool: Pool, worst: Amount, now: number): void {
  pool.renewing = true;
  ctx.background(askLease(ctx, period, pool, worst, now).finally(() => (pool.renewing = false)));
}

/**
 * Reports finished requests' use to the period's object, batched: at most one call per lease every
 * REPORT_EVERY_MS, in the background of the request that finished. A lease that closed (or cannot
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
        const calls: Promise<unknown>[] = [];
        for (const lease of [...pool.leases]) {
          const final = settleable(lease, now, nextWorst);
          const used = takeUnreported(lease);
          if (final) {
            pool.leases.splice(pool.leases.indexOf(lease), 1);
            // Settling frees what the lease held: a brief refusal remembered here no longer stands.
            if (refusedUntil.get(pool.period.name)?.lasting === false) refusedUntil.delete(pool.period.name);
          }
          if (budgets !== undefined && (final || used.tokens > 0 || used.usd > 0)) {
            const { name, forgetAt } = pool.period;
            calls.push(failOpen('budget', () => budgets.getByName(name).settle(lease.id, used, final, forgetAt)));
          }
        }
        await Promise.all(calls);
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
  refusedUntil.clear();
}
