// The sticky-session simulation (`npm run sim:sticky`): an agent workload through the real app in workerd, with and without `sticky`.
//
// Many conversations of 12 turns each, interleaved, over two equal targets (`balance: weighted`,
// 1:1) on the mock vendor. A vendor's prompt cache holds a conversation where its previous turn was
// answered, so the figure is the share of turns 2..12 answered by the same target as the turn
// before. Each turn lands, with probability 0.3, on an isolate that never saw the conversation
// (this isolate's pin memo is dropped), so it must find the pin in its Durable Object. Half the
// conversations send `x-session-id`, half only their body (the system prompt and first message).
// Midway, one target fails 30 calls in a row (a short incident): its conversations move once.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { forgetKeyPools } from '../../src/routing/keys.ts';
import { forgetPins } from '../../src/routing/pins.ts';
import { captureLines } from '../integration/event-lines.ts';
import { FAST_RETRY, KEYS, proxyWith } from '../integration/harness.ts';
import { seeded, shuffle } from '../unit/helpers/seeded.ts';

const CONVERSATIONS = 200;
const TURNS = 12;
const NEW_ISOLATE = 0.3;
const INCIDENT = { after: 1000, times: 30 };

interface Figures {
  turns: number;
  /** Turns after the first answered by the target that answered the turn before. */
  sameTarget: number;
  /** Conversations that changed target at least once. */
  moved: number;
  failed: number;
}

function body(c: number, turn: number): Record<string, unknown> {
  const history = Array.from({ length: turn }, (_, k) => [
    { role: 'assistant', content: `Answer ${k} of conversation ${c}.` },
    { role: 'user', content: `Follow-up ${k}.` },
  ]).flat();
  return {
    model: 'agent',
    messages: [
      { role: 'system', content: `You are agent ${c}. Work in repository ${c}.` },
      { role: 'user', content: `Task ${c}: fix the failing test.` },
      ...history,
    ],
  };
}

async function simulate(sticky: boolean, seed: number): Promise<Figures> {
  forgetPins();
  forgetKeyPools();
  const run = `${sticky ? 'sticky' : 'plain'}-${Date.now()}`;
  const config = {
    providers: {
      [`${run}-a`]: {
        protocol: 'openai',
        baseUrl: `http://mock.test/status=503,after=${INCIDENT.after},times=${INCIDENT.times},id=${run}/v1`,
        apiKeyEnv: 'MOCK_A_KEY',
      },
      [`${run}-b`]: { protocol: 'openai', baseUrl: `http://mock.test/id=${run}-b/v1`, apiKeyEnv: 'MOCK_B_KEY' },
    },
    models: {
      agent: {
        balance: 'weighted',
        ...(sticky ? { sticky: { ttlSeconds: 600 } } : {}),
        targets: [
          { provider: `${run}-a`, model: 'm' },
          { provider: `${run}-b`, model: 'm' },
        ],
      },
    },
    retry: { ...FAST_RETRY, maxRetries: 0 },
  };
  const proxy = proxyWith(config, { ...KEYS, SESSIONS: env.SESSIONS });
  const random = seeded(seed);
  const last = new Map<number, string>();
  const moved = new Set<number>();
  const turnOf = new Map<number, number>();
  const figures: Figures = { turns: 0, sameTarget: 0, moved: 0, failed: 0 };
  // Every conversation's turns in order, the conversations interleaved at random.
  const schedule = shuffle(
    random,
    Array.from({ length: CONVERSATIONS * TURNS }, (_, i) => i % CONVERSATIONS),
  );
  for (const c of schedule) {
    const turn = turnOf.get(c) ?? 0;
    turnOf.set(c, turn + 1);
    if (random() < NEW_ISOLATE) forgetPins();
    const headers = c % 2 === 0 ? { 'x-session-id': `${run}-conversation-${c}` } : undefined;
    const res = await proxy.chat(body(c, turn), { headers });
    await res.text();
    await proxy.settle();
    const target = res.headers.get('x-proxy-provider');
    if (res.status !== 200 || target === null) {
      figures.failed++;
      continue;
    }
    const before = last.get(c);
    if (before !== undefined) {
      figures.turns++;
      if (before === target) figures.sameTarget++;
      else moved.add(c);
    }
    last.set(c, target);
  }
  figures.moved = moved.size;
  return figures;
}

describe('sticky sessions: an agent workload over two equal targets', () => {
  it('keeps at least 95% of turns on the target holding the conversation (about half without sticky)', async () => {
    const print = console.log.bind(console);
    captureLines(); // the proxy's request lines, silenced
    const plain = await simulate(false, 42);
    const sticky = await simulate(true, 42);
    const share = (f: Figures) => f.sameTarget / f.turns;
    const row = (name: string, f: Figures) =>
      `| ${name} | ${f.turns} | ${(share(f) * 100).toFixed(1)}% | ${f.moved} of ${CONVERSATIONS} | ${f.failed} |`;
    print(
      [
        `${CONVERSATIONS} conversations x ${TURNS} turns, 2 equal targets, ${NEW_ISOLATE * 100}% of turns on a fresh isolate, a ${INCIDENT.times}-call incident on one target`,
        '| routing | turns 2..12 | same target as the turn before | conversations that moved | failed |',
        '| --- | --- | --- | --- | --- |',
        row('weighted 1:1', plain),
        row('weighted 1:1 + sticky', sticky),
      ].join('\n'),
    );
    expect(plain.failed + sticky.failed).toBe(0);
    expect(share(sticky)).toBeGreaterThanOrEqual(0.95);
    expect(share(plain)).toBeLessThan(0.6);
  });
});
