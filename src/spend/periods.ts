// A client's budget periods (the UTC day, the UTC minute), their objects' names, and the 429 of a request that does not fit. Pure.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { budgetMessage, nextUtcMidnight, secondsToUtcMidnight, utcDay } from './budget.ts';
import type { Period, Refused } from './reservations.ts';

const MINUTE_MS = 60_000;
/** A period's object keeps its ledger this long after the period ended (a request straddling the end settles there). */
const KEEP_MS = { day: 86_400_000, minute: 2 * MINUTE_MS };

/** The name of the object holding client `name`'s daily budget on the UTC day of `nowMs`. */
export function dayName(name: string, nowMs: number): string {
  return `${name}@${utcDay(nowMs)}`;
}

/** The name of the object holding client `name`'s tokens per minute in the UTC minute of `nowMs`. */
export function minuteName(name: string, nowMs: number): string {
  return `${name}@tpm@${new Date(nowMs - (nowMs % MINUTE_MS)).toISOString().slice(0, 16)}`;
}

/** The periods a client's request reserves in: its daily budget and its tokens per minute, each when set. */
export function periodsOf(client: Client, nowMs: number): Period[] {
  const periods: Period[] = [];
  if (client.budget !== undefined) {
    const endsAt = nextUtcMidnight(nowMs);
    periods.push({ kind: 'day', name: dayName(client.name, nowMs), limits: client.budget, endsAt, forgetAt: endsAt + KEEP_MS.day });
  }
  if (client.tpm !== undefined) {
    const endsAt = nowMs - (nowMs % MINUTE_MS) + MINUTE_MS;
    periods.push({
      kind: 'minute',
      name: minuteName(client.name, nowMs),
      limits: { tokens: client.tpm },
      endsAt,
      forgetAt: endsAt + KEEP_MS.minute,
    });
  }
  return periods;
}

/** How soon a request refused by what others hold (not by spending) may try again: they settle within seconds. */
const HELD_RETRY_SECONDS = 2;

/**
 * The 429 of a request that does not fit a period, with a `Retry-After` within the period: until
 * UTC midnight for a spent daily budget (and `x-should-retry: false`, so SDKs do not retry before
 * then), until the next minute (at most 60 seconds) for tokens per minute, and a couple of seconds
 * when only what requests in flight hold left no room (they settle, and room returns).
 */
export function refusalError(refused: Refused, nowMs: number): ProxyError {
  const { period, over, limit, used } = refused;
  if (period.kind === 'day' && !refused.lasting) {
    const amount = (n: number) => (over === 'usd' ? `$${n.toFixed(2)}` : `${n} tokens`);
    return new ProxyError(
      429,
      'daily_budget_exceeded',
      `This request's worst case does not fit what is left of this client's daily budget of ${amount(limit)} while its other requests are in flight (${amount(used)} used or reserved today). Retry in a few seconds.`,
      { headers: { 'retry-after': String(HELD_RETRY_SECONDS) } },
    );
  }
  if (period.kind === 'day') {
    const retryAfterSeconds = secondsToUtcMidnight(nowMs);
    return new ProxyError(429, 'daily_budget_exceeded', budgetMessage({ over, limit, used, retryAfterSeconds }), {
      headers: { 'retry-after': String(retryAfterSeconds), 'x-should-retry': 'false' },
    });
  }
  const retryAfter = Math.min(60, Math.max(1, Math.ceil((period.endsAt - nowMs) / 1000)));
  return new ProxyError(
    429,
    'tokens_per_minute_exceeded',
    `This request's worst case does not fit this client's limit of ${limit} tokens a minute (${used} used or reserved this minute).`,
    { headers: { 'retry-after': String(retryAfter) } },
  );
}
