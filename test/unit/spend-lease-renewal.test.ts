// How an isolate asks the budget's object for leases: sized by the requests it sees, one ask on its way at a time,
// and a grant that arrives after the request stopped waiting used rather than left held (found with npm run sim:budget).
import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetObject } from '../../src/spend/budget-object.ts';
import type { Amount, Limits, UseReport } from '../../src/spend/ledger.ts';
import { forgetLeases, type Period, type ReserveContext, reserveWorst, setLeaseTiming } from '../../src/spend/reservations.ts';

const WORST: Amount = { tokens: 100, usd: 0 };
const DAY: Period = { kind: 'day', name: 'sim@day', limits: { tokens: 100_000_000 }, endsAt: 10 ** 13, forgetAt: 10 ** 13 };

/** What the stub object saw: each lease asked (its size), each settle, and the most asks on their way at once. */
interface Seen {
  asked: { id: string; tokens: number }[];
  settled: { id: string; final: boolean }[];
  inFlight: number;
  mostInFlight: number;
}

/** A budget namespace whose object grants every lease in full (times `scale`) after `delayMs(call number)`. */
function grantingBudgets(seen: Seen, delayMs: (call: number) => number = () => 0, scale = 1): DurableObjectNamespace<BudgetObject> {
  const stub = {
    reserve: async (id: string, _min: Amount, want: Amount, _limits: Limits) => {
      const call = seen.asked.push({ id, tokens: want.tokens });
      seen.mostInFlight = Math.max(seen.mostInFlight, ++seen.inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs(call)));
      seen.inFlight--;
      return { granted: { tokens: want.tokens * scale, usd: want.usd * scale } };
    },
    report: async (reports: UseReport[]) => {
      for (const { id, final } of reports) seen.settled.push({ id, final });
      return { spent: { tokens: 0, usd: 0 }, reserved: { tokens: 0, usd: 0 } };
    },
  };
  return { getByName: () => stub } as unknown as DurableObjectNamespace<BudgetObject>;
}

function context(seen: Seen, delayMs?: (call: number) => number, scale?: number): { ctx: ReserveContext; background: Promise<unknown>[] } {
  const background: Promise<unknown>[] = [];
  const ctx: ReserveContext = { budgets: grantingBudgets(seen, delayMs, scale), holdMs: 1000, background: (p) => void background.push(p) };
  return { ctx, background };
}

const fresh = (): Seen => ({ asked: [], settled: [], inFlight: 0, mostInFlight: 0 });

afterEach(() => {
  forgetLeases();
  setLeaseTiming();
});

describe('lease asks', () => {
  it('at a steady request a second, asks a lease about every five seconds once warm, one at a time', async () => {
    const seen = fresh();
    const { ctx, background } = context(seen);
    const t0 = 1_000_000;
    let warm = 0;
    for (let i = 0; i < 60; i++) {
      if (i === 20) warm = seen.asked.length;
      const reservation = await reserveWorst(ctx, [DAY], WORST, t0 + i * 1000);
      expect('finish' in reservation).toBe(true);
      await Promise.all(background.splice(0));
    }
    // Leases are sized for the requests of a window (about ten at one a second; a young count is scaled up) and renewed at half used.
    expect(Math.max(...seen.asked.map((a) => a.tokens))).toBeLessThanOrEqual(15 * WORST.tokens);
    expect(seen.asked.length - warm).toBeLessThanOrEqual(10);
    expect(seen.mostInFlight).toBe(1);
  });

  it('a burst of fifty requests on a cold isolate costs a few asks, not fifty: each waits for the one on its way', async () => {
    const seen = fresh();
    const { ctx, background } = context(seen, () => 5);
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => reserveWorst(ctx, [DAY], WORST, now)));
    await Promise.all(background.splice(0));
    expect(results.every((r) => 'finish' in r)).toBe(true);
    expect(seen.asked.length).toBeLessThanOrEqual(3);
    expect(seen.mostInFlight).toBe(1);
    // The second ask was sized for the burst the isolate had seen.
    expect(seen.asked[1]?.tokens).toBeGreaterThanOrEqual(49 * WORST.tokens);
  });

  it('a grant that arrives after the request went ahead without it serves the next requests (no second ask)', async () => {
    const seen = fresh();
    // The object grants ten requests' worth, so the next request finds room and renewing is not due.
    const { ctx, background } = context(seen, (call) => (call === 1 ? 700 : 0), 10);
    const first = await reserveWorst(ctx, [DAY], WORST, Date.now());
    // The object took longer than a request waits for it: the request went ahead unreserved (fail open).
    expect('finish' in first).toBe(true);
    await Promise.all(background.splice(0));
    const second = await reserveWorst(ctx, [DAY], WORST, Date.now());
    expect('finish' in second).toBe(true);
    expect(seen.asked.length).toBe(1);
  });

  it('a late grant whose lease has closed is settled at once, releasing what the object holds for it', async () => {
    setLeaseTiming({ openMs: 300, reportMs: 20 });
    const seen = fresh();
    const { ctx, background } = context(seen, (call) => (call === 1 ? 700 : 0));
    await reserveWorst(ctx, [DAY], WORST, Date.now());
    await Promise.all(background.splice(0));
    // The report loop the late grant started settles it: closed, nothing in flight.
    while (background.length > 0) await Promise.all(background.splice(0));
    expect(seen.settled).toContainEqual({ id: seen.asked[0]?.id, final: true });
  });

  it('near a budget’s end, an object that does not answer refuses rather than lets the request through', async () => {
    let calls = 0;
    const stub = {
      reserve: async () => {
        calls++;
        // First a refusal (what is held leaves no room), then an object too slow to answer.
        if (calls === 1) return { granted: { tokens: 0, usd: 0 }, refusal: { over: 'tokens', limit: 1000, used: 990, spent: 100 } };
        return new Promise(() => {});
      },
      report: async () => ({ spent: { tokens: 0, usd: 0 }, reserved: { tokens: 0, usd: 0 } }),
    };
    const ctx: ReserveContext = {
      budgets: { getByName: () => stub } as unknown as DurableObjectNamespace<BudgetObject>,
      holdMs: 1000,
      background: () => {},
    };
    const period: Period = { ...DAY, limits: { tokens: 1000 } };
    const now = Date.now();
    const first = await reserveWorst(ctx, [period], WORST, now);
    expect(first).toMatchObject({ over: 'tokens', lasting: false });
    // After the brief refusal, the next request asks again; the object hangs; the request is refused, not let through.
    const second = await reserveWorst(ctx, [period], WORST, now + 3000);
    expect(second).toMatchObject({ over: 'tokens', lasting: false });
    expect(calls).toBe(2);
  });
});
