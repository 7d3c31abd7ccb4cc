// The Responses wire as recorded: the openai preset's answers passed through byte for byte, and a chat-only preset's stream turned into Responses events.
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import { fakeVendors, jsonReply, sseReply } from '../fixtures/presets/fake-vendor.ts';
import { callPreset } from '../fixtures/presets/preset-proxy.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { sdkFinalResponse, streamFaults } from '../unit/helpers/responses-wire.ts';

const OPENAI_RESPONSES = 'https://api.openai.com/v1/responses';
const DEEPSEEK_CHAT = 'https://api.deepseek.com/v1/chat/completions';
const ask = (extra: Record<string, unknown> = {}) => ({ model: 'chat', input: 'Say hello', store: false, ...extra });

/** A Responses event stream's text read into its events. */
function events(text: string): WireEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length);
      return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice('data: '.length) ?? '{}') as unknown };
    });
}

describe('the openai preset speaks Responses natively', () => {
  it('sends a Responses request to /v1/responses and passes the answer back byte for byte', async () => {
    const vendors = fakeVendors({ [OPENAI_RESPONSES]: [jsonReply(RECORDED.openai.response)] });
    const { res, text, log } = await callPreset({ preset: 'openai', model: 'gpt-5-mini', vendors, body: ask(), path: '/v1/responses' });
    expect(res.status).toBe(200);
    expect(text).toBe(RECORDED.openai.response);
    expect(vendors.calls[0]?.body).toMatchObject({ model: 'gpt-5-mini', input: 'Say hello', store: false });
    expect(log?.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('relays the recorded event stream as it came, cut at awkward places on the way', async () => {
    const vendors = fakeVendors({ [OPENAI_RESPONSES]: [sseReply(RECORDED.openai.responseStream)] });
    const body = ask({ stream: true });
    const { text, log } = await callPreset({ preset: 'openai', model: 'gpt-5-mini', vendors, body, path: '/v1/responses' });
    const recorded = events(RECORDED.openai.responseStream);
    expect(events(text).map((e) => e.data)).toEqual(recorded.map((e) => e.data));
    expect(log?.streamOutcome).toBe('complete');
    await expect(sdkFinalResponse(events(text))).resolves.toMatchObject({ status: 'completed' });
  });

  it('still sends a Chat Completions caller to /v1/chat/completions', async () => {
    const url = 'https://api.openai.com/v1/chat/completions';
    const vendors = fakeVendors({ [url]: [jsonReply(RECORDED.openai.completion)] });
    const body = { model: 'chat', messages: [{ role: 'user', content: 'Say hello' }] };
    const { res } = await callPreset({ preset: 'openai', model: 'gpt-5-mini', vendors, body });
    expect(res.status).toBe(200);
    expect(vendors.callsTo(url)).toHaveLength(1);
  });
});

describe('a chat-only preset serves a Responses caller', () => {
  it("turns DeepSeek's recorded stream (reasoning_content first) into a valid Responses event stream", async () => {
    const vendors = fakeVendors({ [DEEPSEEK_CHAT]: [sseReply(RECORDED.deepseek.stream)] });
    const body = ask({ stream: true });
    const { text, log } = await callPreset({ preset: 'deepseek', model: 'deepseek-reasoner', vendors, body, path: '/v1/responses' });
    expect(vendors.callsTo(DEEPSEEK_CHAT)).toHaveLength(1);
    const wires = events(text);
    expect(streamFaults(wires)).toEqual([]);
    const final = (await sdkFinalResponse(wires)) as { output: { type: string }[]; usage: Record<string, unknown> };
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.usage).toMatchObject({ input_tokens: log?.usage?.prompt_tokens, output_tokens: log?.usage?.completion_tokens });
  });
});
