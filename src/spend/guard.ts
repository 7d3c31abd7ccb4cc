// The spend guard's caller side: check a client's day before upstream work, record each answer after it.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { failOpen } from '../limits/fail-open.ts';
import { remember } from '../limits/memo.ts';
import { type EventSink, emit } from '../observability/events.ts';
import { budgetMessage, budgetVerdict, nextUtcMidnight, type Spent, utcDay } from './budget.ts';
import type { BudgetObject } from './budget-object.ts';

type Budgets = DurableObjectNamespace<BudgetObject> | undefined;

// What this isolate last learnt each client-day had spent. Spending only grows within a day, so a
// day found spent stays spent: later requests are refused without an object call (the verdict is
// recomputed against the current budget, so raising it in the config takes effect at once).
const knownSpent = new Map<string, Spent>();

/** The name of the object holding client `name`'s spending on the UTC day of `nowMs`. */
export function dayName(name: string, nowMs: number): string {
  return `${name}@${utcDay(nowMs)}`;
}

/**
 * The 429 for a client whose daily budget is spent, or undefined. Asks the day's object (fails
 * open). `x-should-retry: false` tells the OpenAI and Anthropic SDKs not to retry before midnight.
 */
export async function budgetRefusal(budgets: Budgets, client: Client, nowMs: number): Promise<ProxyError | undefined> {
  const budget = client.budget;
  if (budget === undefined) return undefined;
  const name = dayName(client.name, nowMs);
  const known = knownSpent.get(name);
  let verdict = known === undefined ? undefined : budgetVerdict(known, budget, nowMs);
  if (verdict === undefined || verdict.ok) {
    const spent = await failOpen('budget', budgets && (() => budgets.getByName(name).total()));
    if (spent === undefined) return undefined;
    verdict = budgetVerdict(spent, budget, nowMs);
    if (!verdict.ok) remember(knownSpent, name, spent);
  }
  if (verdict.ok) return undefined;
  return new ProxyError(429, 'daily_budget_exceeded', budgetMessage(verdict), {
    headers: { 'retry-after': String(verdict.retryAfterSeconds), 'x-should-retry': 'false' },
  });
}

/**
 * Adds an answer's usage to the client's day, in the background (`waitUntil`): the response never
 * waits on it. Only clients with a budget are recorded; nothing is recorded for a zero amount.
 * The answer whose usage crosses the budget reports `budget_exhausted`: the day's object adds
 * one answer at a time, so exactly one answer crosses it, whatever the isolate.
 */
export function recordSpend(budgets: Budgets, client: Client, amount: Spent, sink: EventSink): void {
  const budget = client.budget;
  if (budget === undefined || (amount.tokens === 0 && amount.usd === 0)) return;
  const now = Date.now();
  const name = dayName(client.name, now);
  // Kept a day past its own, so a request that straddles midnight still finds it.
  const forgetAt = nextUtcMidnight(now) + 86_400_000;
  sink.waitUntil(
    failOpen('budget', budgets && (() => budgets.getByName(name).add(amount, forgetAt))).then((total) => {
      if (total === undefined) return;
      const after = budgetVerdict(total, budget, now);
      if (after.ok) return;
      remember(knownSpent, name, total);
      const before = { tokens: total.tokens - amount.tokens, usd: Math.round((total.usd - amount.usd) * 1e8) / 1e8 };
      if (!budgetVerdict(before, budget, now).ok) return;
      const { over, limit, used } = after;
      emit({ event: 'budget_exhausted', client: client.name, over, limit, used, resetsAt: nextUtcMidnight(now) }, sink);
    }),
  );
}
