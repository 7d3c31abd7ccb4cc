// Daily budgets (per client, per UTC day): what a request costs against one, and when a spent one resets. Pure.
import type { Usage } from '../protocols/model.ts';

/** A client's daily allowance; either or both may be set. */
export interface DailyBudget {
  /** Input plus output tokens per UTC day. */
  tokens?: number;
  /** USD per UTC day, from the answering targets' pricing. */
  usd?: number;
}

/** What a client has used so far today. */
export interface Spent {
  tokens: number;
  usd: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; over: 'tokens' | 'usd'; limit: number; used: number; retryAfterSeconds: number };

const DAY_MS = 86_400_000;

/** The UTC day of `nowMs` as `YYYY-MM-DD`: the budget period, and part of its object's name. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Milliseconds since the epoch at the next UTC midnight after `nowMs`. */
export function nextUtcMidnight(nowMs: number): number {
  return (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS;
}

/** Whole seconds until the next UTC midnight, at least 1: the `Retry-After` of a spent budget. */
export function secondsToUtcMidnight(nowMs: number): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(nowMs) - nowMs) / 1000));
}

/**
 * Whether a client may start another request today. A budget is spent once usage reaches it; the
 * request that crosses it is already answered (its cost is known only afterwards), so a client can
 * overshoot by what its requests in flight at that moment use.
 */
export function budgetVerdict(spent: Spent, budget: DailyBudget, nowMs: number): BudgetVerdict {
  const retryAfterSeconds = secondsToUtcMidnight(nowMs);
  if (budget.tokens !== undefined && spent.tokens >= budget.tokens) {
    return { ok: false, over: 'tokens', limit: budget.tokens, used: spent.tokens, retryAfterSeconds };
  }
  if (budget.usd !== undefined && spent.usd >= budget.usd) {
    return { ok: false, over: 'usd', limit: budget.usd, used: spent.usd, retryAfterSeconds };
  }
  return { ok: true };
}

/** What one answer costs against a budget: its tokens, and its USD cost (0 when the target has no pricing). */
export function spendOf(usage: Usage | undefined, cost: number | undefined): Spent {
  const tokens = usage === undefined ? 0 : usage.prompt_tokens + usage.completion_tokens;
  return { tokens, usd: cost ?? 0 };
}

/** Two amounts added; USD rounded to 1e-8 so that sums of small costs do not drift. */
export function addSpent(a: Spent, b: Spent): Spent {
  return { tokens: a.tokens + b.tokens, usd: Math.round((a.usd + b.usd) * 1e8) / 1e8 };
}

/** The sentence a refused caller reads. */
export function budgetMessage(verdict: Extract<BudgetVerdict, { ok: false }>): string {
  const amount = (n: number) => (verdict.over === 'usd' ? `$${n.toFixed(2)}` : `${n} tokens`);
  const hours = Math.floor(verdict.retryAfterSeconds / 3600);
  const minutes = Math.ceil((verdict.retryAfterSeconds % 3600) / 60);
  return (
    `This client has used its daily budget of ${amount(verdict.limit)} (${amount(verdict.used)} used today). ` +
    `It resets at 00:00 UTC, in ${hours} h ${minutes} min.`
  );
}
