// A Claude Code-shaped agent session through `wrangler dev` with @anthropic-ai/sdk's beta messages: requests and answers pass losslessly both ways.
import type { BetaMessage } from '@anthropic-ai/sdk/resources/beta/messages';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MockCall } from '../mock-provider/handler.ts';
import { agentClient, type CallerExchange, resetVendorTap, vendorExchanges } from './agent-client.ts';
import { AGENT, AGENT_MODEL } from './agent-config.ts';
import { BETAS, DOCUMENT, FINAL_TEXT, runSession, STEPS, THINKING } from './agent-session.ts';
import { blocksOfStream, sseEvents } from './agent-sse.ts';
import { mockCalls, resetMock } from './observers.ts';
import type { VendorExchange } from './vendor-tap.ts';

const CASES = [AGENT.plain, AGENT.blocks].flatMap((alias) =>
  (['enabled', 'adaptive'] as const).flatMap((thinking) => [false, true].map((stream) => ({ alias, thinking, stream }))),
);

describe.each(CASES)('a tool loop with $thinking thinking on $alias (streaming: $stream)', ({ alias, thinking, stream }) => {
  let answers: BetaMessage[] = [];
  let sent: CallerExchange[] = [];
  let vendor: VendorExchange[] = [];
  let calls: MockCall[] = [];

  beforeAll(async () => {
    await resetMock();
    await resetVendorTap();
    const { client, exchanges } = agentClient();
    sent = exchanges;
    answers = await runSession(client, { model: alias, thinking: THINKING[thinking], stream });
    vendor = await vendorExchanges();
    calls = await mockCalls();
  });

  it('runs every scripted tool call, then ends with the mock’s final text', () => {
    expect(answers).toHaveLength(STEPS.length + 1);
    for (const [i, step] of STEPS.entries()) {
      expect(answers[i]?.stop_reason).toBe('tool_use');
      expect(answers[i]?.content.at(-1)).toMatchObject({ type: 'tool_use', name: step.name, input: step.input });
    }
    expect(answers.at(-1)?.stop_reason).toBe('end_turn');
    expect(answers.at(-1)?.content.at(-1)).toMatchObject({ type: 'text', text: FINAL_TEXT });
  });

  it('made exactly one vendor call per turn, each accepted (the mock refuses a tool turn whose thinking was lost or altered)', () => {
    expect(sent.map((s) => s.status)).toEqual(answers.map(() => 200));
    expect(vendor.map((v) => v.status)).toEqual(answers.map(() => 200));
    expect(calls).toHaveLength(answers.length);
    for (const s of sent) expect(s.responseHeaders['x-proxy-provider']).toBe(`${alias}-vendor`);
  });

  it('sent the vendor each turn’s body exactly as the SDK sent it, but model', () => {
    for (const [i, s] of sent.entries()) {
      const expected = JSON.stringify({ ...(JSON.parse(s.body) as object), model: AGENT_MODEL });
      expect(vendor[i]?.body, `turn ${i + 1}`).toBe(expected);
      expect(JSON.stringify(calls[i]?.body), `turn ${i + 1}`).toBe(expected);
    }
    // What the session sent is what the test means to send: the system message, the returned thinking, cached tools.
    type Sent = { messages: { role: string; content: { type: string; signature?: string }[] }[]; tools: { cache_control?: unknown }[] };
    const [first, last] = [sent[0], sent.at(-1)].map((s) => JSON.parse(s?.body ?? '{}') as Sent);
    expect(first?.messages[1]).toMatchObject({ role: 'system', content: [{ cache_control: { type: 'ephemeral' } }] });
    expect(last?.messages.at(-2)?.content.find((b) => b.type === 'thinking')?.signature).toMatch(/^mocksig_/);
    expect(last?.tools[2]?.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('forwarded the anthropic-beta list, anthropic-version and ?beta=true to the vendor on every turn', () => {
    for (const [i, s] of sent.entries()) {
      expect(new URL(s.url).search).toBe('?beta=true');
      expect(s.headers['anthropic-beta']).toBe(BETAS.join(','));
      expect(calls[i]).toMatchObject({
        path: '/v1/messages',
        query: '?beta=true',
        anthropicBeta: s.headers['anthropic-beta'],
        anthropicVersion: s.headers['anthropic-version'],
      });
    }
  });

  it('gave the caller every answer as the vendor sent it', () => {
    for (const [i, s] of sent.entries()) {
      const from = vendor[i]?.answer ?? '';
      if (stream) {
        expect(sseEvents(s.answer), `turn ${i + 1}`).toEqual(sseEvents(from));
        expect(answers[i]?.content, `turn ${i + 1}`).toEqual(blocksOfStream(sseEvents(from)));
      } else {
        expect(JSON.parse(s.answer), `turn ${i + 1}`).toEqual(JSON.parse(from));
        expect(answers[i]?.content, `turn ${i + 1}`).toEqual((JSON.parse(from) as BetaMessage).content);
      }
    }
  });

  it('returned signed thinking first in every answer (and redacted thinking and citations where the vendor sent them)', () => {
    const blocks = alias === AGENT.blocks;
    for (const answer of answers) {
      const [first, second] = answer.content;
      const signed = blocks ? second : first;
      if (blocks) expect(first).toMatchObject({ type: 'redacted_thinking', data: expect.stringMatching(/^mockredacted_/) });
      expect(signed).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^mocksig_/) });
      if (thinking === 'adaptive') expect(signed).toMatchObject({ thinking: '', signature: expect.stringMatching(/^mocksig_omitted_/) });
      else expect(signed).toMatchObject({ thinking: expect.stringMatching(/\S/) });
    }
    const text = answers.at(-1)?.content.at(-1);
    const citations = text?.type === 'text' ? text.citations : undefined;
    if (!blocks) return expect(citations ?? null).toBeNull();
    expect(citations).toEqual([
      expect.objectContaining({
        type: 'char_location',
        cited_text: DOCUMENT.text.split(' It')[0],
        document_index: 0,
        document_title: DOCUMENT.title,
      }),
    ]);
  });
});
