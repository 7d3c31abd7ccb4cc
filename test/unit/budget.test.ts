import { describe, expect, it } from 'vitest';
import { type Client, PUBLIC_CLIENT } from '../../src/auth/client.ts';
import { budgetMessage, nextUtcMidnight, secondsToUtcMidnight, utcDay } from '../../src/spend/budget.ts';
import { add } from '../../src/spend/ledger.ts';
import { minuteName, periodsOf, refusalError } from '../../src/spend/periods.ts';

const t = (iso: string): number => Date.parse(iso);

describe('the UTC day of a budget', () => {
  it.each([
    ['2026-11-23T00:00:00.000Z', '2026-11-23', 86_400],
    ['2026-11-23T23:59:59.000Z', '2026-11-23', 1],
    ['2026-11-23T23:59:59.999Z', '2026-11-23', 1],
    ['2026-11-23T12:00:00.000Z', '2026-11-23', 43_200],
    ['2026-11-23T12:00:00.001Z', '2026-11-23', 43_200],
    ['2026-12-31T23:30:00.000Z', '2026-12-31', 1800],
    ['2028-02-28T23:00:00.000Z', '2028-02-28', 3600],
  ])('%s is day %s, %i s before UTC midnight', (now, day, seconds) => {
    expect(utcDay(t(now))).toBe(day);
    expect(secondsToUtcMidnight(t(now))).toBe(seconds);
    expect(utcDay(nextUtcMidnight(t(now)))).not.toBe(day);
    expect(utcDay(nextUtcMidnight(t(now)) - 1)).toBe(day);
  });

  it('is the UTC day, not the local one, in a zone far from UTC', () => {
    // 23:30 in Los Angeles on the 23rd is already the 24th in UTC.
    expect(utcDay(t('2026-11-23T23:30:00-08:00'))).toBe('2026-11-24');
  });
});

describe('the refusal of a daily budget', () => {
  it.each([
    [
      { over: 'tokens', limit: 1000, used: 1012, retryAfterSeconds: 5 * 3600 + 11 * 60 + 30 } as const,
      '1000 tokens (1012 tokens used today)',
      '5 h 12 min',
    ],
    [{ over: 'usd', limit: 2, used: 2.0049, retryAfterSeconds: 60 } as const, '$2.00 ($2.00 used today)', '0 h 1 min'],
  ])('explains the refusal in words', (verdict, amounts, wait) => {
    const message = budgetMessage(verdict);
    expect(message).toContain(amounts);
    expect(message).toContain(`resets at 00:00 UTC, in ${wait}`);
  });
});

describe("a client's budget periods", () => {
  const client = (extra: Partial<Client>): Client => ({ ...PUBLIC_CLIENT, name: 'web', via: 'key', ...extra });
  const now = t('2026-11-23T12:34:56.789Z');

  it('has none without a budget or tpm, a day with a daily budget, a UTC minute with tpm', () => {
    expect(periodsOf(client({}), now)).toEqual([]);
    expect(periodsOf(client({ budget: { tokens: 1000 }, tpm: 500 }), now)).toEqual([
      {
        kind: 'day',
        name: 'web@2026-11-23',
        limits: { tokens: 1000 },
        endsAt: t('2026-11-24T00:00:00Z'),
        forgetAt: t('2026-11-25T00:00:00Z'),
      },
      {
        kind: 'minute',
        name: 'web@tpm@2026-11-23T12:34',
        limits: { tokens: 500 },
        endsAt: t('2026-11-23T12:35:00Z'),
        forgetAt: t('2026-11-23T12:37:00Z'),
      },
    ]);
    expect(minuteName('jwt:u1', t('2026-11-23T12:34:00.000Z'))).toBe('jwt:u1@tpm@2026-11-23T12:34');
  });

  it.each([
    ['2026-11-23T12:34:00.000Z', 60],
    ['2026-11-23T12:34:59.999Z', 1],
    ['2026-11-23T12:34:30.500Z', 30],
  ])('tells a request over tpm at %s to retry within the minute (%i s)', (at, seconds) => {
    const [period] = periodsOf(client({ tpm: 500 }), t(at));
    if (period === undefined) throw new Error('no period');
    const error = refusalError({ period, over: 'tokens', limit: 500, used: 480, spent: 400, lasting: false }, t(at));
    expect(error.status).toBe(429);
    expect(error.code).toBe('tokens_per_minute_exceeded');
    expect(error.headers['retry-after']).toBe(String(seconds));
  });

  it('tells a request over its daily budget to retry at UTC midnight, and not before', () => {
    const [period] = periodsOf(client({ budget: { usd: 1 } }), now);
    if (period === undefined) throw new Error('no period');
    const error = refusalError({ period, over: 'usd', limit: 1, used: 1.2, spent: 1.2, lasting: true }, now);
    expect(error.code).toBe('daily_budget_exceeded');
    expect(error.headers).toEqual({ 'retry-after': String(secondsToUtcMidnight(now)), 'x-should-retry': 'false' });
  });

  it('tells a request that only what others hold left no room to retry in seconds, which SDKs may do', () => {
    const [period] = periodsOf(client({ budget: { tokens: 1000 } }), now);
    if (period === undefined) throw new Error('no period');
    const error = refusalError({ period, over: 'tokens', limit: 1000, used: 990, spent: 400, lasting: false }, now);
    expect(error.status).toBe(429);
    expect(error.code).toBe('daily_budget_exceeded');
    expect(error.headers).toEqual({ 'retry-after': '2' });
    expect(error.message).toContain('in flight');
  });
});

describe('amounts', () => {
  it('add up small dollar amounts without drift', () => {
    let total = { tokens: 0, usd: 0 };
    for (let i = 0; i < 1000; i++) total = add(total, { tokens: 3, usd: 0.00000011 });
    expect(total).toEqual({ tokens: 3000, usd: 0.00011 });
  });
});
