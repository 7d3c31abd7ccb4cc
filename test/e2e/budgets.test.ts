// Budgets end to end (issue 15): a `wrangler dev` of this file's own (budgets-config.ts), the mock vendor behind the vendor tap,
// the openai and Anthropic SDKs as callers.
//
// A daily token budget holds under twenty concurrent requests of both protocols (what the vendor
// billed never passes it, refused requests never reach it); a key's `maxTokens` is the output limit
// of a request naming none and refuses one asking for more; `tpm` refuses past the minute's tokens;
// the admin route reads back what was spent; no key leaves the proxy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import {
  ADMIN_TOKEN,
  ask,
  BUDGET_KEYS,
  BURST,
  BURST_MARK,
  buildBudgetsProxyConfig,
  burstRequest,
  CAP,
  LIMITS,
  MINUTE_MARK,
  minuteBody,
  type Sdk,
  worstCase,
} from './budgets-config.ts';
import { MOCK_KEY } from './config.ts';
import { wranglerOutput } from './observers.ts';
import { recordedResponses, recordingFetch, secret } from './recorder.ts';
import type { VendorExchange } from './vendor-tap.ts';

const vendorTapUrl = inject('vendorTapUrl');
let dir = '';
let log = '';
let dev: WranglerDev | undefined;
const url = (): string => dev?.url ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-budgets-'));
  for (const [name, key] of Object.entries(BUDGET_KEYS)) secret(`client key ${name}`, key);
  secret('admin token', ADMIN_TOKEN);
  const config = JSON.stringify(buildBudgetsProxyConfig(vendorTapUrl));
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  writeFileSync(join(dir, 'budgets.env'), `MOCK_KEY=${MOCK_KEY}\nPROXY_ADMIN_TOKEN=${ADMIN_TOKEN}\nPROXY_CONFIG='${config}'\n`);
  log = join(dir, 'wrangler.log');
  dev = await startWranglerDev({ envFile: join(dir, 'budgets.env'), workDir: dir, logFile: log });
});

afterAll(async () => {
  await dev?.stop();
  if (dir !== '' && process.env.E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
});

// No SDK retries: every vendor call seen is one request of the test.
const openai = (apiKey: string) => new OpenAI({ baseURL: `${url()}/v1`, apiKey, maxRetries: 0, timeout: 20_000, fetch: recordingFetch });
const claude = (apiKey: string) => new Anthropic({ baseURL: url(), apiKey, maxRetries: 0, timeout: 20_000, fetch: recordingFetch });

/** What one request came to: 200 with the answer's text, else the refusal as the SDK raised it. */
interface Outcome {
  status: number;
  text?: string;
  /** `error.code` of the body (both protocols carry the proxy's code). */
  code?: string | null;
  /** The refusal was raised as the caller protocol's 429 / 400 (the SDK's own error class and, for Anthropic, `error.type`). */
  inProtocol?: boolean;
  retryAfter?: number;
  shouldRetry?: string | null;
}

/** Sends `body` through the SDK of `sdk` (streamed when it says so) and reads the answer to its end. */
async function send(key: string, sdk: Sdk, body: Record<string, unknown>): Promise<Outcome> {
  try {
    if (sdk === 'openai') {
      const params = body as unknown as OpenAI.ChatCompletionCreateParams;
      if (!params.stream)
        return { status: 200, text: (await openai(key).chat.completions.create(params)).choices[0]?.message.content ?? '' };
      let text = '';
      for await (const chunk of await openai(key).chat.completions.create(params)) text += chunk.choices[0]?.delta?.content ?? '';
      return { status: 200, text };
    }
    const params = body as unknown as Anthropic.MessageCreateParams;
    if (!params.stream) {
      const message = await claude(key).messages.create(params);
      return { status: 200, text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
    }
    let text = '';
    for await (const event of await claude(key).messages.create(params)) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    return { status: 200, text };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) || error.status === undefined) throw error;
    const inProtocol =
      error instanceof OpenAI.APIError
        ? error instanceof (error.status === 429 ? OpenAI.RateLimitError : OpenAI.BadRequestError)
        : error instanceof (error.status === 429 ? Anthropic.RateLimitError : Anthropic.BadRequestError) &&
          error.type === (error.status === 429 ? 'rate_limit_error' : 'invalid_request_error');
    const code = error instanceof OpenAI.APIError ? error.code : (error.error as { error?: { code?: string } }).error?.code;
    const retryAfter = error.headers?.get('retry-after');
    return {
      status: error.status,
      code,
      inProtocol,
      retryAfter: retryAfter == null ? undefined : Number(retryAfter),
      shouldRetry: error.headers?.get('x-should-retry'),
    };
  }
}

/** The vendor tap's exchanges whose request body contains `mark`, once every answer among them is complete (waits up to 3 s). */
async function vendorSaw(mark: string): Promise<VendorExchange[]> {
  const until = Date.now() + 3000;
  for (;;) {
    const log = (await (await fetch(`${vendorTapUrl}/__vendor/log`)).json()) as VendorExchange[];
    const mine = log.filter((e) => e.body.includes(mark));
    if (mine.every((e) => e.done) || Date.now() > until) return mine;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The tokens (input plus output) a vendor answer billed, from its JSON body or its SSE events, in either wire. */
function billedTokens(answer: string): number {
  const events = answer.trimStart().startsWith('{')
    ? [answer]
    : answer.split('\n').flatMap((line) => (line.startsWith('data: ') && line !== 'data: [DONE]' ? [line.slice(6)] : []));
  let input = 0;
  let output = 0;
  let total: number | undefined;
  for (const event of events) {
    const value = JSON.parse(event) as { type?: string; usage?: Record<string, number>; message?: { usage?: Record<string, number> } };
    const usage = value.type === 'message_start' ? value.message?.usage : value.usage;
    if (usage?.total_tokens !== undefined) total = usage.total_tokens;
    input = usage?.input_tokens ?? input;
    output = usage?.output_tokens ?? output;
  }
  const billed = total ?? input + output;
  if (billed === 0) throw new Error(`no usage in the vendor's answer: ${answer.slice(0, 200)}`);
  return billed;
}

/** Which prompts reached the vendor (by their `#nn` number) and the tokens it billed for them. */
async function vendorBilled(mark: string): Promise<{ numbers: number[]; tokens: number }> {
  const exchanges = await vendorSaw(mark);
  const numbers = exchanges.map((e) => Number(new RegExp(`${mark} #(\\d+)`).exec(e.body)?.[1])).sort((a, b) => a - b);
  return { numbers, tokens: exchanges.reduce((sum, e) => sum + billedTokens(e.answer), 0) };
}

/** Waits out the last `marginMs` of a UTC period (day or minute), so a test's requests all fall in one period. */
async function clearOfPeriodEnd(periodMs: number, marginMs: number): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
const DAY_MS = 86_400_000;
const secondsToEnd = (periodMs: number, now: number): number => Math.ceil((periodMs - (now % periodMs)) / 1000);

interface PeriodState {
  limits: { tokens?: number } | null;
  spent: { tokens: number } | null;
  reserved: { tokens: number } | null;
  left: { tokens?: number } | null;
  resetsAt: number;
}
type ClientBudget = { client: string; day: PeriodState; minute?: PeriodState };

/** GET /admin/budgets/<client> with the admin token. */
async function adminBudget(client: string): Promise<ClientBudget> {
  const res = await recordingFetch(`${url()}/admin/budgets/${client}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as ClientBudget;
}

/** Polls the admin route until `done` holds (settlement reports in the background, every 2 s at most). */
async function budgetWhen(client: string, done: (b: ClientBudget) => boolean, timeoutMs = 6000): Promise<ClientBudget> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const budget = await adminBudget(client);
    if (done(budget) || Date.now() > until) return budget;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A period's own arithmetic: what is left is its limit less spent and reserved. */
function expectConsistent(period: PeriodState, limit: number): void {
  const spent = period.spent?.tokens ?? Number.NaN;
  const reserved = period.reserved?.tokens ?? Number.NaN;
  expect(period.limits).toEqual({ tokens: limit });
  expect(reserved).toBeGreaterThanOrEqual(0);
  expect(period.left).toEqual({ tokens: Math.max(0, limit - spent - reserved) });
}

describe('daily token budget under a concurrent burst', () => {
  it('admits only what fits, answers the rest 429 in their own protocol, and the vendor never bills past the budget', async () => {
    await clearOfPeriodEnd(DAY_MS, 20_000);
    const sentAt = Date.now();
    const outcomes = await Promise.all(BURST.map((r) => send(BUDGET_KEYS.burst, r.sdk, r.body)));
    const admitted = BURST.filter((r) => outcomes[r.i]?.status === 200).map((r) => r.i);
    const refused = outcomes.filter((o) => o.status !== 200);
    const vendor = await vendorBilled(BURST_MARK);
    expect(admitted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const i of admitted) expect(outcomes[i]?.text).not.toBe('');
    const midnight = secondsToEnd(DAY_MS, sentAt);
    // Refused while the admitted ones held the rest (nothing spent yet): retry in seconds; refused by spending: at midnight.
    for (const o of refused) {
      expect(o).toMatchObject({ status: 429, code: 'daily_budget_exceeded', inProtocol: true });
      expect(o.retryAfter).toBeGreaterThanOrEqual(1);
      expect(o.retryAfter).toBeLessThanOrEqual(midnight);
      if (o.shouldRetry === 'false') expect(o.retryAfter).toBeGreaterThan(2);
      else expect(o.retryAfter).toBe(2);
    }
    // The vendor saw each admitted request once and no refused one; it billed no more than the budget.
    expect(vendor.numbers).toEqual(admitted);
    expect(vendor.tokens).toBeLessThanOrEqual(LIMITS.burst.dailyTokens);

    // Once settled (a lease is given back within ten seconds), the ledger holds exactly what the vendor billed, nothing reserved.
    const budget = await budgetWhen('burst', (b) => b.day.spent?.tokens === vendor.tokens && b.day.reserved?.tokens === 0, 12_000);
    expect(budget.day.spent?.tokens).toBe(vendor.tokens);
    expect(budget.day.reserved?.tokens).toBe(0);
    expectConsistent(budget.day, LIMITS.burst.dailyTokens);

    // What the burst left is for the next request: admitted when its worst case fits, still never billed past the budget.
    const next = burstRequest(BURST.length);
    const fits = (budget.day.left?.tokens ?? 0) >= worstCase(next.body);
    const nextStatus = (await send(BUDGET_KEYS.burst, next.sdk, next.body)).status;
    console.log(
      `budgets e2e: ${admitted.length} of ${BURST.length} admitted under a budget of ${LIMITS.burst.dailyTokens} tokens, ` +
        `the vendor billed ${vendor.tokens}; ${budget.day.left?.tokens} left after settling, the next request got ${nextStatus}`,
    );
    expect(nextStatus).toBe(fits ? 200 : 429);
    const after = await vendorBilled(BURST_MARK);
    expect(after.numbers).toEqual(fits ? [...admitted, next.i] : admitted);
    expect(after.tokens).toBeLessThanOrEqual(LIMITS.burst.dailyTokens);
  });
});

describe('a key’s maxTokens', () => {
  const mark = 'budgets-cap';

  it('is the output limit the vendor gets when a request names none, in either target protocol', async () => {
    expect(await send(BUDGET_KEYS.capped, 'openai', ask(mark, 1, 'gpt', 'hi'))).toMatchObject({ status: 200 });
    expect(await send(BUDGET_KEYS.capped, 'openai', ask(mark, 2, 'claude', 'hi', { stream: true }))).toMatchObject({ status: 200 });
    expect(await send(BUDGET_KEYS.capped, 'anthropic', ask(mark, 3, 'claude', 'hi', { max_tokens: CAP }))).toMatchObject({ status: 200 });
    const limits = (await vendorSaw(mark)).map((e) => {
      const body = JSON.parse(e.body) as { max_tokens?: number; max_completion_tokens?: number };
      return body.max_tokens ?? body.max_completion_tokens;
    });
    expect(limits).toEqual([CAP, CAP, CAP]);
  });

  it('refuses a request asking for more with a 400 in its protocol, before any vendor call', async () => {
    const over = CAP + 1;
    const outcomes = [
      await send(BUDGET_KEYS.capped, 'openai', ask(mark, 11, 'gpt', 'hi', { max_tokens: over })),
      await send(BUDGET_KEYS.capped, 'openai', ask(mark, 12, 'claude', 'hi', { max_completion_tokens: over, stream: true })),
      await send(BUDGET_KEYS.capped, 'anthropic', ask(mark, 13, 'claude', 'hi', { max_tokens: over })),
      await send(BUDGET_KEYS.capped, 'anthropic', ask(mark, 14, 'gpt', 'hi', { max_tokens: over, stream: true })),
      // Both OpenAI fields: a vendor may read either, so the larger is held to the cap.
      await send(BUDGET_KEYS.capped, 'openai', ask(mark, 15, 'gpt', 'hi', { max_completion_tokens: 10, max_tokens: 5000 })),
    ];
    for (const o of outcomes) expect(o).toMatchObject({ status: 400, code: 'max_tokens_too_large', inProtocol: true });
    expect((await vendorBilled(mark)).numbers).toEqual([1, 2, 3]);
  });
});

describe('tokens per minute', () => {
  it('refuses requests past the minute’s tokens with a 429 whose Retry-After is within the minute', async () => {
    await clearOfPeriodEnd(60_000, 5000);
    const sentAt = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, n) => send(BUDGET_KEYS.minute, 'openai', minuteBody(n))));
    const admitted = outcomes.flatMap((o, n) => (o.status === 200 ? [n] : []));
    const refused = outcomes.filter((o) => o.status !== 200);
    expect(admitted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o).toMatchObject({ status: 429, code: 'tokens_per_minute_exceeded', inProtocol: true });
      expect(o.retryAfter).toBeGreaterThanOrEqual(1);
      expect(o.retryAfter).toBeLessThanOrEqual(Math.min(60, secondsToEnd(60_000, sentAt)));
    }
    const vendor = await vendorBilled(MINUTE_MARK);
    expect(vendor.numbers).toEqual(admitted);
    expect(vendor.tokens).toBeLessThanOrEqual(LIMITS.minute.tpm);
  });
});

describe('admin budget route', () => {
  it('shows spent, reserved, left and when each period resets, with what was spent once requests settle', async () => {
    await clearOfPeriodEnd(60_000, 8000);
    await clearOfPeriodEnd(DAY_MS, 20_000);
    const mark = 'budgets-ledger';
    expect((await adminBudget('ledger')).day.spent?.tokens).toBe(0);
    await send(BUDGET_KEYS.ledger, 'openai', ask(mark, 1, 'gpt', 'hi'));
    await send(BUDGET_KEYS.ledger, 'openai', ask(mark, 2, 'claude', 'hi', { stream: true }));
    await send(BUDGET_KEYS.ledger, 'anthropic', ask(mark, 3, 'claude', 'hi', { max_tokens: CAP }));
    await send(BUDGET_KEYS.ledger, 'anthropic', ask(mark, 4, 'gpt', 'hi', { max_tokens: CAP, stream: true }));
    const vendor = await vendorBilled(mark);
    expect(vendor.numbers).toEqual([1, 2, 3, 4]);

    const now = Date.now();
    const budget = await budgetWhen('ledger', (b) => b.day.spent?.tokens === vendor.tokens && b.minute?.spent?.tokens === vendor.tokens);
    expect(budget.client).toBe('ledger');
    expect(budget.day.spent?.tokens).toBe(vendor.tokens);
    expect(budget.minute?.spent?.tokens).toBe(vendor.tokens);
    expectConsistent(budget.day, LIMITS.ledger.dailyTokens);
    if (budget.minute !== undefined) expectConsistent(budget.minute, LIMITS.ledger.tpm);
    expect(budget.day.resetsAt).toBe(now - (now % DAY_MS) + DAY_MS);
    expect(budget.minute?.resetsAt).toBe(now - (now % 60_000) + 60_000);

    // The list route shows every key with a budget; the key without one is not there.
    const res = await recordingFetch(`${url()}/admin/budgets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const all = (await res.json()) as { clients: ClientBudget[] };
    expect(all.clients.map((c) => c.client).sort()).toEqual(['burst', 'ledger', 'minute']);
  });
});

describe('secrets', () => {
  it('never put a client key, the vendor key or the admin token in a response of this proxy or its log', () => {
    const responses = recordedResponses().filter((r) => r.url.startsWith(url()));
    expect(responses.filter((r) => r.kind === 'head').length).toBeGreaterThan(30);
    const output = wranglerOutput(log);
    for (const value of [MOCK_KEY, ADMIN_TOKEN, ...Object.values(BUDGET_KEYS)]) {
      expect(responses.filter((r) => (r.kind === 'head' ? JSON.stringify(r.headers) : r.text).includes(value))).toEqual([]);
      expect(output).not.toContain(value);
    }
  });
});
