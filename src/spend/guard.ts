// The spend guard's caller side: check a client's day before upstream work, record each answer after it.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { failOpen } from '../limits/fail-open.ts';
import { remember } from '../limits/memo.ts';
import { budgetMessage, budgetVerdict, nextUtcMidnight, type Spent, utcDay } from './budget.ts';
import type { BudgetObject } from './budget-object.ts';

type Budgets = DurableObjectNamespace<BudgetObject> | undefined;

// What this isolate last learnt each client-day had spent. Spending only grows within a day, so a
// day found spent stays spent: later requests are refused without an object call (the verdict is
// recomputed against the current budget, so raising it in the config takes effect at once).
const knownSpent = new Map<string, Spent>();

/** The name of the object holding `client`'s spending on the UTC day of `nowMs`. */
function dayName(client: Client, nowMs: number): string {
  return `${client.name}@${utcDay(nowMs)}`;
}

/**
 * The 429 for a client whose daily budget is spent, or undefined. Asks the day's object (fails
 * open). `x-should-retry: false` tells the OpenAI and Anthropic SDKs not to retry before midnight.
 */
export async function budgetRefusal(budgets: Budgets, client: Client, nowMs: number): Promise<ProxyError | undefined> {
  const budget = client.budget;
  if (budget === undefined) return undefined;
  const name = dayName(client, nowMs);
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
 */
export function recordSpend(budgets: Budgets, client: Client, amount: Spent, waitUntil: (promise: Promise<unknown>) => void): void {
  const budget = client.budget;
  if (budget === undefined || (amount.tokens === 0 && amount.usd === 0)) return;
  const now = Date.now();
  const name = dayName(client, now);
  // Kept a day past its own, so a request that straddles midnight still finds it.
  const forgetAt = nextUtcMidnight(now) + 86_400_000;
  waitUntil(
    failOpen('budget', budgets && (() => budgets.getByName(name).add(amount, forgetAt))).then((total) => {
      if (total !== undefined && !budgetVerdict(total, budget, now).ok) remember(knownSpent, name, total);
    }),
  );
}
