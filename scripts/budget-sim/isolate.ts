// One isolate in the budget simulation: what src/spend/reservations.ts does per isolate and period, step by step,
// on the real lease and ledger functions, with simulated time in place of awaits (each `await` becomes a callback).
import {
  closingKeep,
  countRequest,
  draw,
  expectedRequests,
  giveBack,
  type Lease,
  leaseSize,
  newLease,
  remaining,
  settleable,
  takeUnreported,
  wantsRenewal,
} from '../../src/spend/lease.ts';
import { type Amount, applyReports, type Limits, reserve, type UseReport } from '../../src/spend/ledger.ts';
import type { Clock } from './clock.ts';
import { NEAR_END_MS, SHARED_ASKS, type Timing } from './constants.ts';
import type { Metrics } from './metrics.ts';
import type { BudgetObjectSim } from './object.ts';

/** One request: its worst case (reserved), what it really uses, and how long it runs once sent. */
export interface SimRequest {
  worst: Amount;
  used: Amount;
  durationMs: number;
}

/** The world an isolate lives in: the clock, the period's object and limits, the constants, the counters. */
export interface World {
  clock: Clock;
  object: BudgetObjectSim;
  timing: Timing;
  limits: Limits;
  /** When the period (the UTC day) ends: a lasting refusal stands until then. */
  endsAt: number;
  metrics: Metrics;
}

/** What asking for a lease gave, as reservations.ts `Asked`. */
type Asked = Lease | { over: string; spent: number; used: number; limit: number; min: Amount } | 'unanswered';

/** reservations.ts `Pool`; the ask on its way is the list of requests waiting for it. */
interface Pool {
  leases: Lease[];
  recent: number;
  since: number;
  lastAt: number;
  asking: ((asked: Asked) => void)[] | undefined;
  quietUntil: number;
  reporting: boolean;
}

/** reservations.ts `refusals` entry (tokens only: the simulated budget has no USD limit). */
interface Memo {
  at: number;
  limit: number;
  used: number;
  spent: number;
  briefUntil: number;
}

let holds = 0;

export class Isolate {
  private readonly world: World;
  private pool: Pool | undefined;
  private memo: Memo | undefined;

  constructor(world: World) {
    this.world = world;
  }

  /** reserveWorst in the day's period; an admitted request runs, then gives back what it did not use (giveAll). */
  arrive(request: SimRequest): void {
    this.world.metrics.arrive(this.world.clock.now);
    const now = this.world.clock.now;
    this.reserveIn(this.poolOf(now), request, now, 0);
  }

  /** reservations.ts `reserveIn`, one round per call: the memo, a draw, else an ask (the pool's, or its own after SHARED_ASKS). */
  private reserveIn(pool: Pool, request: SimRequest, now: number, asks: number): void {
    const { metrics } = this.world;
    const worst = request.worst;
    if (this.remembered(worst, now)) {
      metrics.refuse('memo', worst.tokens, this.world.clock.now);
      return;
    }
    const lease = pool.leases.find((l) => draw(l, worst, now));
    if (lease !== undefined) {
      this.admitted(request, pool, lease, now);
      return;
    }
    if (asks === 0) metrics.wait(now);
    const mine = pool.asking === undefined;
    const then = (asked: Asked): void => {
      if (asked === 'unanswered' && this.memo !== undefined && now < this.memo.at + NEAR_END_MS) {
        metrics.refuse('object', worst.tokens, this.world.clock.now);
      } else if (asked === 'unanswered') {
        metrics.unreserved++;
        metrics.admit(worst.tokens);
        this.world.clock.after(request.durationMs, () => metrics.finish(worst.tokens, request.used.tokens));
      } else if ('over' in asked) {
        if (!mine && worst.tokens < asked.min.tokens) {
          this.reserveIn(pool, request, now, asks + 1);
          return;
        }
        metrics.refuse('object', worst.tokens, this.world.clock.now);
      } else this.reserveIn(pool, request, now, asks + 1);
    };
    if (asks >= SHARED_ASKS) this.askLease(pool, worst, now, 'reserveWait', then);
    else if (pool.asking !== undefined) pool.asking.push(then);
    else this.askShared(pool, worst, now, 'reserveWait', then);
  }

  private remembered(worst: Amount, now: number): boolean {
    const known = this.memo;
    if (known === undefined) return false;
    return known.spent + worst.tokens > known.limit || (now < known.briefUntil && known.used + worst.tokens > known.limit);
  }

  private admitted(request: SimRequest, pool: Pool, lease: Lease, now: number): void {
    const { clock, metrics } = this.world;
    metrics.admit(request.worst.tokens);
    const quiet = pool.asking !== undefined || now < pool.quietUntil || this.remembered(request.worst, now);
    if (!quiet && pool.leases.every((l) => wantsRenewal(l, now))) this.askShared(pool, request.worst, now, 'reserveRenew', noop);
    clock.after(request.durationMs, () => {
      giveBack(lease, request.worst, request.used);
      metrics.finish(request.worst.tokens, request.used.tokens);
      this.report(pool, request.worst);
    });
  }

  private poolOf(now: number): Pool {
    this.pool ??= { leases: [], recent: 0, since: now, lastAt: now, asking: undefined, quietUntil: 0, reporting: false };
    const pool = this.pool;
    pool.recent = countRequest(pool.recent, now - pool.lastAt, this.world.timing.openMs);
    pool.lastAt = now;
    return pool;
  }

  /** reservations.ts `askShared`: the pool's one ask on its way; requests finding no room wait for it. */
  private askShared(pool: Pool, worst: Amount, now: number, kind: 'reserveWait' | 'reserveRenew', then: (asked: Asked) => void): void {
    const waiting = [then];
    pool.asking = waiting;
    this.askLease(pool, worst, now, kind, (asked) => {
      if (pool.asking === waiting) pool.asking = undefined;
      for (const wake of waiting) wake(asked);
    });
  }

  /** reservations.ts `askLease`: a lease of the size the pool's count calls for, cut by the object to its share of what is left. */
  private askLease(pool: Pool, worst: Amount, now: number, kind: 'reserveWait' | 'reserveRenew', then: (asked: Asked) => void): void {
    const { object, timing, limits } = this.world;
    const id = `h${holds++}`;
    const openUntil = Math.min(now + timing.openMs, this.world.endsAt);
    const open = pool.leases.filter((l) => now < l.openUntil);
    const servable = open.reduce((n, l) => n + Math.floor(remaining(l).tokens / Math.max(1, worst.tokens)), 0);
    const want = leaseSize(worst, expectedRequests(pool.recent, now - pool.since, timing.openMs) - servable);
    const apply = (at: number) => {
      const grant = reserve(object.ledger, id, worst, want, limits, at, openUntil + timing.holdMs);
      object.ledger = grant.ledger;
      return grant;
    };
    const late = (grant: ReturnType<typeof apply>): void => {
      // A grant after the caller stopped waiting joins the pool and the report loop (reservations.ts `adopt`).
      if (!grant.ok) return;
      pool.leases.push(newLease(id, grant.granted, now, openUntil));
      this.report(pool, worst);
    };
    object.call(
      kind,
      apply,
      (grant) => {
        if (grant === undefined) {
          pool.quietUntil = now + timing.briefRefusalMs;
          then('unanswered');
        } else if (!grant.ok) {
          this.memo = { limit: grant.limit, used: grant.used, spent: grant.spent, at: now, briefUntil: now + timing.briefRefusalMs };
          then({ ...grant, min: worst });
        } else {
          const lease = newLease(id, grant.granted, now, openUntil);
          pool.leases.push(lease);
          then(lease);
        }
      },
      late,
    );
  }

  /** reservations.ts `report`: one loop per pool, settling a lease that can take no more requests, else reporting every reportMs. */
  private report(pool: Pool, nextWorst: Amount): void {
    if (pool.reporting) return;
    pool.reporting = true;
    this.flush(pool, nextWorst);
  }

  private flush(pool: Pool, nextWorst: Amount): void {
    const { clock, timing } = this.world;
    if (pool.leases.length === 0) {
      pool.reporting = false;
      return;
    }
    if (pool.leases.some((l) => settleable(l, clock.now, nextWorst))) this.flushOnce(pool, nextWorst);
    else clock.after(timing.reportMs, () => this.flushOnce(pool, nextWorst));
  }

  private flushOnce(pool: Pool, nextWorst: Amount): void {
    const { clock, object } = this.world;
    const now = clock.now;
    const reports: UseReport[] = [];
    for (const lease of [...pool.leases]) {
      const final = settleable(lease, now, nextWorst);
      const used = takeUnreported(lease);
      if (final) {
        pool.leases.splice(pool.leases.indexOf(lease), 1);
        if (this.memo !== undefined) this.memo.briefUntil = 0;
      }
      const keep = final ? undefined : closingKeep(lease, now);
      if (final || keep !== undefined || used.tokens > 0 || used.usd > 0)
        reports.push({ id: lease.id, used, final, ...(keep && { keep }) });
    }
    if (reports.length === 0) {
      this.flush(pool, nextWorst);
      return;
    }
    const apply = (at: number) => {
      object.ledger = applyReports(object.ledger, reports, at);
      return true;
    };
    // One call for every lease of the pool; counted as a settle when it settles one.
    object.call(reports.some((r) => r.final) ? 'settle' : 'report', apply, () => this.flush(pool, nextWorst));
  }
}

const noop = (): void => {};
