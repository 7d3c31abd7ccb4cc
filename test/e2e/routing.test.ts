// Routing end to end (issue 14): a `wrangler dev` of this file's own (routing-config.ts), the mock vendor, the openai SDK.
//
// A weighted alias splits its first attempts by weight; a key pool moves past a key the vendor
// refuses and one it rate-limits within the same request, naming keys by position only; a sticky
// alias keeps every turn of a conversation on the provider that answered it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { MOCK_KEY, REPLY } from './config.ts';
import { logLineFor, mockCalls, wranglerOutput } from './observers.ts';
import { sdk } from './proxy-client.ts';
import { recordedResponses, secret } from './recorder.ts';
import { buildRoutingProxyConfig, POOL, STICKY, WEIGHTED } from './routing-config.ts';

const mockUrl = inject('mockUrl');
let dir = '';
let log = '';
let dev: WranglerDev | undefined;
const url = (): string => dev?.url ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-routing-'));
  for (const [i, key] of POOL.keys.entries()) secret(`pool key ${POOL.keyEnvs[i]}`, key);
  const config = JSON.stringify(buildRoutingProxyConfig(mockUrl));
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const keys = POOL.keyEnvs.map((name, i) => `${name}=${POOL.keys[i]}\n`).join('');
  writeFileSync(join(dir, 'routing.env'), `MOCK_KEY=${MOCK_KEY}\n${keys}PROXY_CONFIG='${config}'\n`);
  log = join(dir, 'wrangler.log');
  dev = await startWranglerDev({ envFile: join(dir, 'routing.env'), workDir: dir, logFile: log });
});

afterAll(async () => {
  await dev?.stop();
  if (dir === '') return;
  if (process.env.E2E_KEEP === '1') console.log(`e2e: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

/** One non-streaming request: who answered, in how many upstream calls, with what. */
async function send(model: string, messages: ChatCompletionMessageParam[], headers: Record<string, string> = {}) {
  const { data, response } = await sdk(url()).chat.completions.create({ model, messages }, { headers }).withResponse();
  return {
    status: response.status,
    text: data.choices[0]?.message.content ?? null,
    provider: response.headers.get('x-proxy-provider'),
    attempts: Number(response.headers.get('x-proxy-attempts')),
  };
}

const user = (content: string): ChatCompletionMessageParam[] => [{ role: 'user', content }];

/** Runs `task(i)` for every i below `count`, `width` at a time; the results in order of i. */
async function pooled<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

describe('balance: weighted', () => {
  // 3:1 is a 75% share; over 300 draws σ ≈ 2.5 points, so 65%..85% (±4σ) fails about once in 16,000 runs.
  const DRAWS = 300;

  it('sends the first attempt to each target in proportion to its weight', async () => {
    const answers = await pooled(DRAWS, 10, (i) => send(WEIGHTED.alias, user(`weighted ${i}`)));
    const heavy = answers.filter((a) => a.provider === WEIGHTED.heavy.provider).length;
    const light = answers.filter((a) => a.provider === WEIGHTED.light.provider).length;
    const share = heavy / DRAWS;
    console.log(`routing e2e: weights 3:1 gave the weight-3 target ${heavy} of ${DRAWS} requests (${percent(share)}; 75% expected)`);
    expect(answers.every((a) => a.status === 200 && a.text === REPLY && a.attempts === 1)).toBe(true);
    expect(heavy + light).toBe(DRAWS);
    expect(share).toBeGreaterThanOrEqual(0.65);
    expect(share).toBeLessThanOrEqual(0.85);
    // The mock saw the same split: one call per request, to the target named in the header.
    const calls = (await mockCalls()).map((call) => call.model);
    expect(calls.filter((model) => model === WEIGHTED.heavy.model)).toHaveLength(heavy);
    expect(calls.filter((model) => model === WEIGHTED.light.model)).toHaveLength(light);
  });
});

describe('key pool (key 1 refused, key 3 rate-limited)', () => {
  const REQUESTS = 8;

  it('retries a request at once with the next key, and sets refused and limited keys aside', async () => {
    const answers = [];
    for (let i = 0; i < REQUESTS; i++) answers.push(await send(POOL.alias, user(`pool ${i}`), { 'x-request-id': `e2e-rt-pool-${i}` }));
    expect(answers.every((a) => a.status === 200 && a.text === REPLY && a.provider === POOL.provider)).toBe(true);
    // Key 1 is refused on the first request and key 3 limited on the second; both are then set aside.
    expect(answers.map((a) => a.attempts)).toEqual([2, 2, ...Array(REQUESTS - 2).fill(1)]);

    const lines = [];
    for (let i = 0; i < REQUESTS; i++) lines.push(await logLineFor(`e2e-rt-pool-${i}`, 5000, log));
    const keysTried = lines.map((line) => (line.attempts as { key?: string; status: number | null }[]).map((a) => [a.key, a.status]));
    expect(keysTried).toEqual([
      [
        ['#1 of 3', 401],
        ['#2 of 3', 200],
      ],
      [
        ['#3 of 3', 429],
        ['#2 of 3', 200],
      ],
      ...Array(REQUESTS - 2).fill([['#2 of 3', 200]]),
    ]);

    // What the vendor saw: each key once in turn, then key 2 only.
    const [k1, k2, k3] = POOL.keys;
    const presented = (await mockCalls()).filter((call) => call.model === POOL.model).map((call) => call.authorization);
    expect(presented).toEqual([k1, k2, k3, ...Array(REQUESTS - 1).fill(k2)].map((key) => `Bearer ${key}`));

    // The refusal is reported by the key's env name and position, never its value.
    const output = wranglerOutput(log);
    expect(output).toMatch(/"event":"key_rejected".*"key":"#1 of 3".*"keyEnv":"RT_KEY_1"/);
    const responses = recordedResponses()
      .filter((r) => r.url.startsWith(url()))
      .map((r) => (r.kind === 'head' ? JSON.stringify(r.headers) : r.text));
    expect(responses.length).toBeGreaterThan(0);
    for (const key of POOL.keys) {
      expect(output).not.toContain(key);
      expect(responses.filter((text) => text.includes(key))).toEqual([]);
    }
  });
});

describe('sticky sessions (weighted 1:1, ttlSeconds 600)', () => {
  const CONVERSATIONS = 10;
  const TURNS = 10;

  /** One conversation, turn after turn under its own `x-session-id`; the provider that answered each turn. */
  async function converse(n: number): Promise<(string | null)[]> {
    const messages: ChatCompletionMessageParam[] = [];
    const providers: (string | null)[] = [];
    for (let turn = 0; turn < TURNS; turn++) {
      messages.push({ role: 'user', content: `conversation ${n}, turn ${turn}` });
      const answer = await send(STICKY.alias, messages, { 'x-session-id': `e2e-rt-sticky-${n}` });
      expect(answer).toMatchObject({ status: 200, text: REPLY, attempts: 1 });
      messages.push({ role: 'assistant', content: answer.text ?? '' });
      providers.push(answer.provider);
    }
    return providers;
  }

  it('answers every turn of a conversation from the provider that answered its first', async () => {
    const conversations = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, n) => converse(n)));
    const firsts = conversations.map((providers) => providers[0]);
    const onA = firsts.filter((p) => p === STICKY.providers[0].provider).length;
    console.log(
      `routing e2e: ${CONVERSATIONS} sticky conversations of ${TURNS} turns: ${onA} on ${STICKY.providers[0].provider}, ` +
        `${CONVERSATIONS - onA} on ${STICKY.providers[1].provider} (${percent(onA / CONVERSATIONS)} / ${percent(1 - onA / CONVERSATIONS)})`,
    );
    expect(firsts.every((p) => STICKY.providers.some((t) => t.provider === p))).toBe(true);
    // Unpinned, a 1:1 draw would keep a ten-turn conversation on one provider once in 512.
    expect(conversations.filter((providers) => new Set(providers).size !== 1)).toEqual([]);
  });
});
