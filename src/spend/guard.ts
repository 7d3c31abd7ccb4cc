// The spend guard's caller side: check a client's day before upstream work, record each answer after it.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { failOpen } from '../limits/fail-open.ts';
import { budgetMessage, budgetVerdict, nextUtcMidnight, type Spent, utcDay } from './budget.ts';
import type { BudgetObject } from './budget-object.ts';

type Budgets = DurableObjectNamespace<BudgetObject> | undefined;

/** The object holding `client`'s spending on the UTC day of `nowMs`. */
function dayObject(budgets: DurableObjectNamespace<BudgetObject>, client: Client, nowMs: number) {
  return budgets.getByName(`${client.name}@${utcDay(nowMs)}`);
}

/**
 * The 429 for a client whose daily budget is spent, or undefined. Asks the day's object (fails
 * open). `x-should-retry: false` tells the OpenAI and Anthropic SDKs not to retry before midnight.
 */
export async function budgetRefusal(budgets: Budgets, client: Client, nowMs: number): Promise<ProxyError | undefined> {
  const budget = client.budget;
  if (budget === undefined) return undefined;
  const spent = await failOpen('budget', budgets && (() => dayObject(budgets, client, nowMs).total()));
  if (spent === undefined) return undefined;
  const verdict = budgetVerdict(spent, budget, nowMs);
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
  if (client.budget === undefined || (amount.tokens === 0 && amount.usd === 0)) return;
  const now = Date.now();
  // Kept a day past its own, so a request that straddles midnight still finds it.
  const forgetAt = nextUtcMidnight(now) + 86_400_000;
  waitUntil(failOpen('budget', budgets && (() => dayObject(budgets, client, now).add(amount, forgetAt))));
}
