import { describe, expect, it } from 'vitest';
import { addSpent, budgetMessage, budgetVerdict, nextUtcMidnight, secondsToUtcMidnight, spendOf, utcDay } from '../../src/spend/budget.ts';

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

describe('budgetVerdict', () => {
  const noon = t('2026-11-23T12:00:00Z');
  it.each([
    ['no budget set', { tokens: 5000, usd: 3 }, {}, true],
    ['tokens under', { tokens: 999, usd: 0 }, { tokens: 1000 }, true],
    ['tokens reached', { tokens: 1000, usd: 0 }, { tokens: 1000 }, false],
    ['tokens over', { tokens: 1500, usd: 0 }, { tokens: 1000 }, false],
    ['dollars under', { tokens: 10, usd: 0.99 }, { usd: 1 }, true],
    ['dollars reached', { tokens: 10, usd: 1 }, { usd: 1 }, false],
    ['both set, only dollars spent', { tokens: 10, usd: 2 }, { tokens: 1000, usd: 1 }, false],
    ['both set, neither spent', { tokens: 10, usd: 0.5 }, { tokens: 1000, usd: 1 }, true],
  ])('%s', (_name, spent, budget, ok) => {
    expect(budgetVerdict(spent, budget, noon).ok).toBe(ok);
  });

  it('says which budget is spent and waits until UTC midnight', () => {
    expect(budgetVerdict({ tokens: 10, usd: 2 }, { tokens: 1000, usd: 1 }, noon)).toEqual({
      ok: false,
      over: 'usd',
      limit: 1,
      used: 2,
      retryAfterSeconds: 43_200,
    });
  });

  it.each([
    [
      { ok: false, over: 'tokens', limit: 1000, used: 1012, retryAfterSeconds: 5 * 3600 + 11 * 60 + 30 } as const,
      '1000 tokens (1012 tokens used today)',
      '5 h 12 min',
    ],
    [{ ok: false, over: 'usd', limit: 2, used: 2.0049, retryAfterSeconds: 60 } as const, '$2.00 ($2.00 used today)', '0 h 1 min'],
  ])('explains the refusal in words', (verdict, amounts, wait) => {
    const message = budgetMessage(verdict);
    expect(message).toContain(amounts);
    expect(message).toContain(`resets at 00:00 UTC, in ${wait}`);
  });
});

describe('what an answer costs against a budget', () => {
  it.each([
    ['usage and cost', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, 0.002, { tokens: 15, usd: 0.002 }],
    ['no pricing on the target', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, undefined, { tokens: 15, usd: 0 }],
    ['no usage reported', undefined, undefined, { tokens: 0, usd: 0 }],
  ])('%s', (_name, usage, cost, spent) => {
    expect(spendOf(usage, cost)).toEqual(spent);
  });

  it('adds up small dollar amounts without drift', () => {
    let total = { tokens: 0, usd: 0 };
    for (let i = 0; i < 1000; i++) total = addSpent(total, { tokens: 3, usd: 0.00000011 });
    expect(total).toEqual({ tokens: 3000, usd: 0.00011 });
  });
});
