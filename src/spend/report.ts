// The day's spend per client for the admin's status page: the status routes read budgets only through here.
import type { RuntimeConfig } from '../config/load.ts';
import { failOpen } from '../limits/fail-open.ts';
import { type DailyBudget, nextUtcMidnight, utcDay } from './budget.ts';
import type { BudgetObject } from './budget-object.ts';
import { dayName } from './guard.ts';

/** One client's day: what it spent (null when its object did not answer) against its budget. */
export interface ClientSpend {
  client: string;
  tokens: number | null;
  usd: number | null;
  budget: DailyBudget;
}

export interface SpendReport {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Epoch ms of the next UTC midnight, when every budget resets. */
  resetsAt: number;
  clients: ClientSpend[];
}

/**
 * What each client key with a daily budget (`dailyTokens`, `dailyUsd`) spent today, read from its
 * day's budget object in parallel. Only clients with a budget are recorded at all; token clients
 * (`jwt:<sub>`) cannot be listed from the config, so they are not shown. An object that errors or
 * is slow shows as null: the status page never waits long on it.
 */
export async function spendToday(
  budgets: DurableObjectNamespace<BudgetObject> | undefined,
  config: RuntimeConfig,
  now: number,
): Promise<SpendReport> {
  const keys = config.raw.auth.keys.filter((key) => key.dailyTokens !== undefined || key.dailyUsd !== undefined);
  const clients = await Promise.all(
    keys.map(async (key): Promise<ClientSpend> => {
      const budget: DailyBudget = {};
      if (key.dailyTokens !== undefined) budget.tokens = key.dailyTokens;
      if (key.dailyUsd !== undefined) budget.usd = key.dailyUsd;
      const spent = await failOpen('budget', budgets && (() => budgets.getByName(dayName(key.name, now)).total()));
      return { client: key.name, tokens: spent?.tokens ?? null, usd: spent?.usd ?? null, budget };
    }),
  );
  return { day: utcDay(now), resetsAt: nextUtcMidnight(now), clients };
}
