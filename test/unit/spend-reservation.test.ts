// Budget reservations: the ledger a budget's object keeps, the leases isolates hold, and the worst-case estimate.
import { describe, expect, it } from 'vitest';
import { estimateInputTokens, worstCase } from '../../src/spend/estimate.ts';
import {
  closingKeep,
  countRequest,
  draw,
  giveBack,
  leaseSize,
  newLease,
  remaining,
  settleable,
  wantsRenewal,
} from '../../src/spend/lease.ts';
import {
  type Amount,
  applyReports,
  committed,
  emptyLedger,
  LEASE_SHARE,
  type Ledger,
  type Limits,
  reserve,
  settle,
} from '../../src/spend/ledger.ts';

const t = (tokens: number, usd = 0): Amount => ({ tokens, usd });
const NOW = 1_000_000;

describe('the ledger', () => {
  it.each<[string, Limits, Amount, Amount, boolean, number]>([
    ['grants a request that fits what is left', { tokens: 1000 }, t(100), t(100), true, 100],
    ['refuses a request that does not fit', { tokens: 1000 }, t(1001), t(1001), false, 0],
    ['cuts a lease to its share of what is left, never below the request', { tokens: 1000 }, t(100), t(900), true, 1000 * LEASE_SHARE],
    ['gives a lease at least the one request it was asked for', { tokens: 1000 }, t(600), t(900), true, 600],
    ['gives an unlimited budget the whole lease', {}, t(100), t(900), true, 900],
  ])('%s', (_name, limits, min, want, ok, granted) => {
    const grant = reserve(emptyLedger(), 'h1', min, want, limits, NOW, NOW + 60_000);
    expect(grant.ok).toBe(ok);
    if (grant.ok) expect(grant.granted.tokens).toBe(granted);
  });

  it('never lets the sum of grants exceed a limit, however many requests and leases ask at once', () => {
    const limits = { tokens: 10_000, usd: 1 };
    let ledger: Ledger = emptyLedger();
    let granted = 0;
    for (let i = 0; i < 500; i++) {
      const min = t(37 + (i % 50), 0.0007);
      const grant = reserve(ledger, `h${i}`, min, t(min.tokens * (1 + (i % 9)), 0.0007 * (1 + (i % 9))), limits, NOW, NOW + 60_000);
      ledger = grant.ledger;
      if (grant.ok) granted += grant.granted.tokens;
      expect(committed(ledger).tokens).toBeLessThanOrEqual(limits.tokens);
      expect(committed(ledger).usd).toBeLessThanOrEqual(limits.usd + 1e-9);
    }
    expect(granted).toBeGreaterThan(limits.tokens * 0.9);
  });

  it('names the limit a refusal is over, with what is used', () => {
    const grant = reserve(emptyLedger(), 'h', t(10, 2), t(10, 2), { tokens: 100, usd: 1 }, NOW, NOW + 1);
    expect(grant).toMatchObject({ ok: false, over: 'usd', limit: 1, used: 0 });
  });

  it('settles a hold with what it used: the hold goes, the use is spent', () => {
    const held = reserve(emptyLedger(), 'h', t(500), t(500), { tokens: 1000 }, NOW, NOW + 60_000);
    expect(held.ok).toBe(true);
    const after = settle(held.ledger, 'h', t(120, 0.01), NOW + 1);
    expect(after).toEqual({ spent: { tokens: 120, usd: 0.01 }, held: {} });
  });

  it('lets a hold expire when its holder never settles it, so a budget never leaks', () => {
    const held = reserve(emptyLedger(), 'h', t(900), t(900), { tokens: 1000 }, NOW, NOW + 1000);
    expect(reserve(held.ledger, 'x', t(200), t(200), { tokens: 1000 }, NOW + 999, NOW + 5000).ok).toBe(false);
    expect(reserve(held.ledger, 'x', t(200), t(200), { tokens: 1000 }, NOW + 1000, NOW + 5000).ok).toBe(true);
  });

  it('still spends what a hold used when it is settled after it expired', () => {
    const held = reserve(emptyLedger(), 'h', t(100), t(100), { tokens: 1000 }, NOW, NOW + 10);
    expect(settle(held.ledger, 'h', t(80), NOW + 20).spent.tokens).toBe(80);
  });
});

describe('a lease', () => {
  it('serves requests until what it holds runs out, and takes back what they did not use', () => {
    const lease = newLease('l', t(1000), NOW);
    expect(draw(lease, t(400), NOW)).toBe(true);
    expect(draw(lease, t(400), NOW)).toBe(true);
    expect(draw(lease, t(400), NOW)).toBe(false);
    giveBack(lease, t(400), t(50));
    expect(remaining(lease).tokens).toBe(550);
    expect(draw(lease, t(400), NOW)).toBe(true);
    expect(lease).toMatchObject({ inFlight: 2, used: { tokens: 50 } });
  });

  it('takes no request once closed, and is settled when closed with nothing in flight', () => {
    const lease = newLease('l', t(1000), NOW, NOW + 100);
    expect(draw(lease, t(10), NOW + 50)).toBe(true);
    expect(settleable(lease, NOW + 200, t(10))).toBe(false);
    giveBack(lease, t(10), t(7));
    expect(settleable(lease, NOW + 50, t(10))).toBe(false);
    expect(settleable(lease, NOW + 200, t(10))).toBe(true);
    expect(draw(lease, t(10), NOW + 200)).toBe(false);
  });

  it('asks to be renewed once half of it is gone, or in the last fifth of its window', () => {
    const lease = newLease('l', t(1000), NOW, NOW + 10_000);
    draw(lease, t(400), NOW);
    expect(wantsRenewal(lease, NOW)).toBe(false);
    expect(wantsRenewal(lease, NOW + 7_000)).toBe(false);
    expect(wantsRenewal(lease, NOW + 8_500)).toBe(true);
    draw(lease, t(200), NOW);
    expect(wantsRenewal(lease, NOW)).toBe(true);
  });

  it('once closed with requests in flight, gives back all but their worst cases, once', () => {
    const lease = newLease('l', t(1000), NOW, NOW + 100);
    draw(lease, t(300), NOW);
    draw(lease, t(200), NOW);
    giveBack(lease, t(300), t(120));
    expect(closingKeep(lease, NOW + 50)).toBeUndefined();
    expect(closingKeep(lease, NOW + 100)).toEqual(t(200));
    expect(closingKeep(lease, NOW + 150)).toBeUndefined();
    // At the object: the use reported is spent, the hold cut to what is still in flight.
    const held = reserve(emptyLedger(), 'l', t(1000), t(1000), { tokens: 5000 }, NOW, NOW + 60_000).ledger;
    const after = applyReports(held, [{ id: 'l', used: t(120), final: false, keep: t(200) }], NOW + 100);
    expect(after.spent).toEqual(t(120));
    expect(after.held.l?.amount).toEqual(t(200));
    expect(committed(after)).toEqual(t(320));
  });

  it.each([
    [0, 1],
    [0.4, 1],
    [99.2, 100],
    [10_000, 1000],
  ])('is sized for the requests expected while it is open (%s expected: %s requests)', (expected, requests) => {
    expect(leaseSize(t(50, 0.001), expected)).toEqual({ tokens: 50 * requests, usd: 0.001 * requests });
  });

  it('expects as many requests as it saw in the last window: one at first, then the steady rate', () => {
    const window = 10_000;
    let count = countRequest(0, 0, window);
    expect(count).toBe(1);
    // 20 requests a second for a minute settle near 200 a window; a burst of near-simultaneous requests counts each once.
    for (let i = 0; i < 1200; i++) count = countRequest(count, 50, window);
    expect(count).toBeGreaterThan(195);
    expect(count).toBeLessThan(205);
    let burst = countRequest(0, 0, window);
    for (let i = 0; i < 9; i++) burst = countRequest(burst, 1, window);
    expect(burst).toBeCloseTo(10, 1);
    // After a quiet minute, the count has decayed to the request arriving now.
    expect(countRequest(count, 60_000, window)).toBeLessThan(2);
  });
});

describe('the worst-case estimate', () => {
  it('counts a third of a token per UTF-8 byte of the body, erring high for English and for Chinese', () => {
    const english = { messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog. '.repeat(40) }] };
    expect(estimateInputTokens(english)).toBeGreaterThan(1800 / 4);
    const chinese = { messages: [{ role: 'user', content: '价格是多少？'.repeat(100) }] };
    expect(estimateInputTokens(chinese)).toBeGreaterThanOrEqual(600);
  });

  it('counts an inline image as 1,600 tokens, not its size', () => {
    const image = `data:image/png;base64,${'iVBORw0KGgo'.repeat(20_000)}`;
    const body = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: image } }] }] };
    expect(estimateInputTokens(body)).toBeLessThan(1700);
    expect(estimateInputTokens(body)).toBeGreaterThanOrEqual(1600);
  });

  it('reads any nesting depth without a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(estimateInputTokens({ deep })).toBeGreaterThan(60_000);
  });

  it('prices the worst case at the target pricing, rounding up', () => {
    expect(worstCase(1000, 500, { input: 3, output: 15 })).toEqual({ tokens: 1500, usd: 0.0105 });
    expect(worstCase(1000, 500, undefined)).toEqual({ tokens: 1500, usd: 0 });
  });
});
