// Budget states for the admin (status page and /admin/budgets): the only readers of the budget objects besides reservations.
import type { RuntimeConfig } from '../config/load.ts';
import { failOpen } from '../limits/fail-open.ts';
import { type DailyBudget, nextUtcMidnight, utcDay } from './budget.ts';
import type { BudgetObject } from './budget-object.ts';
import type { Amount, Limits } from './ledger.ts';
import { dayName, minuteName } from './periods.ts';

type Budgets = DurableObjectNamespace<BudgetObject> | undefined;

/** One period of a client's budget as its object holds it now; spent and reserved are null when the object did not answer. */
export interface PeriodState {
  /** Limits of the period; null for a token client, whose claims the proxy only sees on its requests. */
  limits: Limits | null;
  spent: Amount | null;
  reserved: Amount | null;
  /** What is left for new requests (limit − spent − reserved), per limit. */
  left: Limits | null;
  resetsAt: number;
}

/** A client's budget today: its day and, with `tpm`, its current minute. */
export interface ClientBudget {
  client: string;
  day: PeriodState;
  minute?: PeriodState;
}

/** One client's day on the status page: what it spent and holds against its budget. */
export interface ClientSpend {
  client: string;
  tokens: number | null;
  usd: number | null;
  reserved: Amount | null;
  budget: DailyBudget;
}

export interface SpendReport {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Epoch ms of the next UTC midnight, when every budget resets. */
  resetsAt: number;
  clients: ClientSpend[];
}

async function periodState(budgets: Budgets, name: string, limits: Limits | null, resetsAt: number): Promise<PeriodState> {
  const state = await failOpen('budget', budgets && (() => budgets.getByName(name).state()));
  const left =
    limits === null || state === undefined
      ? null
      : {
          ...(limits.tokens === undefined ? {} : { tokens: Math.max(0, limits.tokens - state.spent.tokens - state.reserved.tokens) }),
          ...(limits.usd === undefined
            ? {}
            : { usd: Math.max(0, Math.round((limits.usd - state.spent.usd - state.reserved.usd) * 1e8) / 1e8) }),
        };
  return { limits, spent: state?.spent ?? null, reserved: state?.reserved ?? null, left, resetsAt };
}

/**
 * The budget state of client `name` now. Client keys are known from the config with their limits;
 * a token client (`jwt:<sub>`) is read without them; any other name is undefined.
 */
export async function clientBudget(budgets: Budgets, config: RuntimeConfig, name: string, now: number): Promise<ClientBudget | undefined> {
  const key = config.raw.auth.keys.find((k) => k.name === name);
  if (key === undefined && !name.startsWith('jwt:')) return undefined;
  const daily: Limits | null =
    key === undefined
      ? null
      : {
          ...(key.dailyTokens === undefined ? {} : { tokens: key.dailyTokens }),
          ...(key.dailyUsd === undefined ? {} : { usd: key.dailyUsd }),
        };
  const budget: ClientBudget = { client: name, day: await periodState(budgets, dayName(name, now), daily, nextUtcMidnight(now)) };
  if (key === undefined || key.tpm !== undefined) {
    const minuteEnd = now - (now % 60_000) + 60_000;
    budget.minute = await periodState(budgets, minuteName(name, now), key?.tpm === undefined ? null : { tokens: key.tpm }, minuteEnd);
  }
  return budget;
}

/** Every client key with a budget (`dailyTokens`, `dailyUsd` or `tpm`), read in parallel. */
export async function clientBudgets(budgets: Budgets, config: RuntimeConfig, now: number): Promise<ClientBudget[]> {
  const keys = config.raw.auth.keys.filter((k) => k.dailyTokens !== undefined || k.dailyUsd !== undefined || k.tpm !== undefined);
  const all = await Promise.all(keys.map((k) => clientBudget(budgets, config, k.name, now)));
  return all.filter((b): b is ClientBudget => b !== undefined);
}

/**
 * What each client key with a daily budget spent today and holds now, for the status page. Token
 * clients (`jwt:<sub>`) cannot be listed from the config, so they are not shown. An object that
 * errors or is slow shows as null: the status page never waits long on it.
 */
export async function spendToday(budgets: Budgets, config: RuntimeConfig, now: number): Promise<SpendReport> {
  const keys = config.raw.auth.keys.filter((key) => key.dailyTokens !== undefined || key.dailyUsd !== undefined);
  const clients = await Promise.all(
    keys.map(async (key): Promise<ClientSpend> => {
      const budget: DailyBudget = {};
      if (key.dailyTokens !== undefined) budget.tokens = key.dailyTokens;
      if (key.dailyUsd !== undefined) budget.usd = key.dailyUsd;
      const day = await periodState(budgets, dayName(key.name, now), budget, nextUtcMidnight(now));
      return { client: key.name, tokens: day.spent?.tokens ?? null, usd: day.spent?.usd ?? null, reserved: day.reserved, budget };
    }),
  );
  return { day: utcDay(now), resetsAt: nextUtcMidnight(now), clients };
}
