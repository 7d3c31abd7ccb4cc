// Daily budgets (per client, per UTC day): the period, when it resets, and the sentence a refused caller reads. Pure.

/** A client's daily allowance; either or both may be set. */
export interface DailyBudget {
  /** Input plus output tokens per UTC day. */
  tokens?: number;
  /** USD per UTC day, from the answering targets' pricing. */
  usd?: number;
}

/** Why a request does not fit a daily budget, and how long until it resets. */
export interface BudgetRefusal {
  over: 'tokens' | 'usd';
  limit: number;
  used: number;
  retryAfterSeconds: number;
}

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

/** The sentence a refused caller reads. */
export function budgetMessage(verdict: BudgetRefusal): string {
  const amount = (n: number) => (verdict.over === 'usd' ? `$${n.toFixed(2)}` : `${n} tokens`);
  const hours = Math.floor(verdict.retryAfterSeconds / 3600);
  const minutes = Math.ceil((verdict.retryAfterSeconds % 3600) / 60);
  return (
    `This client has used its daily budget of ${amount(verdict.limit)} (${amount(verdict.used)} used today). ` +
    `It resets at 00:00 UTC, in ${hours} h ${minutes} min.`
  );
}
