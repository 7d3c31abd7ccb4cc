// Tests reasoning on the mock's Responses wire: the item, its summary, the encrypted content round trip and forged items refused (runs in workerd).

import { describe, expect, it } from 'vitest';
import { tampered } from './anthropic-test-client.ts';
import { createMockProvider } from './handler.ts';
import { sealReasoning, verifyReasoning } from './responses-reasoning.ts';
import { errorOf, responseOf, responses } from './responses-test-client.ts';
import type { ReasoningItem } from './responses-wire.ts';

const thought = 'No tool is needed here. I will reply: "Hello from the mock provider.".';
const thoughtTokens = 13;
const search = { type: 'function', name: 'search', parameters: {} };

type ReasoningSetting = { effort: string; summary?: string };

describe('reasoning on /v1/responses', () => {
  it.each<[string, ReasoningSetting, string[] | undefined, ReasoningItem]>([
    ['effort alone', { effort: 'low' }, undefined, { id: 'rs_mock_1', type: 'reasoning', summary: [] }],
    [
      'a summary',
      { effort: 'high', summary: 'auto' },
      undefined,
      { id: 'rs_mock_1', type: 'reasoning', summary: [{ type: 'summary_text', text: thought }] },
    ],
    [
      'encrypted content included',
      { effort: 'medium' },
      ['reasoning.encrypted_content'],
      { id: 'rs_mock_1', type: 'reasoning', encrypted_content: sealReasoning(thought), summary: [] },
    ],
  ])('puts a reasoning item first for %s and counts its tokens', async (_, reasoning, include, item) => {
    const body = await responseOf(await responses(createMockProvider(), '', { reasoning, include }));
    expect(body.output.map((output) => output.type)).toEqual(['reasoning', 'message']);
    expect(body.output[0]).toEqual(item);
    expect(body.reasoning).toEqual({ effort: reasoning.effort, summary: reasoning.summary ?? null });
    expect(body.usage).toMatchObject({ output_tokens: thoughtTokens + 5, output_tokens_details: { reasoning_tokens: thoughtTokens } });
  });

  it('adds no reasoning item for effort none', async () => {
    const body = await responseOf(await responses(createMockProvider(), '', { reasoning: { effort: 'none' } }));
    expect(body.output.map((output) => output.type)).toEqual(['message']);
  });

  it('accepts its encrypted reasoning back in a store: false tool loop, from any mock instance', async () => {
    const request = { tools: [search], store: false, reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] };
    const first = await responseOf(await responses(createMockProvider(), '', request));
    const [reasoning, call] = first.output;
    expect(reasoning?.type === 'reasoning' && verifyReasoning(reasoning.encrypted_content ?? '')).toBe(true);
    const input = [
      { role: 'user', content: 'Say hello' },
      reasoning,
      call,
      { type: 'function_call_output', call_id: 'call_mock_1', output: 'ok' },
    ];
    const second = await responseOf(await responses(createMockProvider(), '', { ...request, input }));
    expect(second.output[1]).toMatchObject({ type: 'message', content: [{ text: 'Tool said: ok' }] });
  });

  it.each([
    ['a tampered', (item: ReasoningItem) => tampered(item.encrypted_content ?? '')],
    ['a foreign', () => 'gAAAAABo-foreign-vendor-blob=='],
  ])('refuses %s encrypted_content with invalid_encrypted_content', async (_, forge) => {
    const request = { reasoning: { effort: 'low' }, include: ['reasoning.encrypted_content'] };
    const [item] = (await responseOf(await responses(createMockProvider(), '', request))).output;
    if (item?.type !== 'reasoning') throw new Error('expected a reasoning item');
    const forged = { ...item, encrypted_content: forge(item) };
    const error = await errorOf(
      await responses(createMockProvider(), '', { ...request, input: [forged, { role: 'user', content: 'Again' }] }),
    );
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: null, code: 'invalid_encrypted_content' });
    expect(error.message).toMatch(/^The encrypted content \S{4}\.\.\.\S{4} could not be verified\.$/);
  });

  it('looks a reasoning item sent by id alone up in the store: found when stored, 404 when it was not', async () => {
    const provider = createMockProvider();
    const stored = await responseOf(await responses(provider, '', { reasoning: { effort: 'low' } }));
    const unstored = await responseOf(await responses(provider, '', { reasoning: { effort: 'low' }, store: false }));
    const byId = (body: typeof stored) => ({ type: 'reasoning', id: body.output[0]?.id, summary: [] });
    const again = { role: 'user', content: 'Again' };
    expect((await responses(provider, '', { input: [byId(stored), again] })).status).toBe(200);
    expect(await errorOf(await responses(provider, '', { input: [byId(unstored), again] }))).toMatchObject({
      status: 404,
      param: 'input',
      message: expect.stringContaining("Item with id 'rs_mock_2' not found. Items are not persisted when `store` is set to false."),
    });
  });
});

describe('sealReasoning', () => {
  it('seals deterministically, verifies its own seal and refuses any edit', () => {
    const sealed = sealReasoning('I will call search.');
    expect(sealed).toBe(sealReasoning('I will call search.'));
    expect(sealed.startsWith('mockenc_')).toBe(true);
    expect(verifyReasoning(sealed)).toBe(true);
    expect(verifyReasoning(tampered(sealed))).toBe(false);
    expect(verifyReasoning(sealed.replace('mockenc_', 'mockenc_A'))).toBe(false);
    expect(verifyReasoning(`${sealed}.extra`)).toBe(false);
  });
});
