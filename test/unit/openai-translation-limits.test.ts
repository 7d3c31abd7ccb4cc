// What a Chat Completions request loses or cannot have on its way to an Anthropic target: the `dropped` list and UnsupportedRequest.
import { describe, expect, it } from 'vitest';
import { UnsupportedRequest } from '../../src/protocols/model.ts';
import { embeddingsCaller } from '../../src/protocols/openai-chat/embeddings.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import { httpWith, parseChat, targetOn } from './helpers/config.ts';

const ask = [{ role: 'user', content: 'x' }];
const request = (body: Record<string, unknown>) => parseChat({ model: 'chat', messages: ask, ...body });
const claude = targetOn('claude');
const oai = targetOn('oai');

describe('UnsupportedRequest: what an Anthropic target cannot serve as asked', () => {
  const userPart = (part: unknown) => ({ messages: [{ role: 'user', content: [part] }] });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['several choices', { n: 2 }, /n > 1/],
    ['logprobs', { logprobs: true }, /logprobs/],
    ['audio output', { modalities: ['text', 'audio'] }, /audio output/],
    ['an audio voice', { audio: { voice: 'alloy', format: 'wav' } }, /audio output/],
    ['legacy functions', { functions: [{ name: 'f' }] }, /legacy functions/],
    ['a legacy function_call', { function_call: 'auto' }, /legacy functions/],
    ['a legacy function message', { messages: [...ask, { role: 'function', name: 'f', content: '1' }] }, /legacy functions/],
    ['a JSON object format', { response_format: { type: 'json_object' } }, /response_format json_object/],
    ['a JSON schema format', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }, /json_schema/],
    ['audio input', userPart({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }), /audio input/],
    ['a file by id', userPart({ type: 'file', file: { file_id: 'file-1' } }), /file parts other than inline PDFs/],
    ['an inline file that is no PDF', userPart({ type: 'file', file: { file_data: 'data:text/csv;base64,YQ==' } }), /inline PDFs/],
    ['a content part newer than the proxy', userPart({ type: 'input_video', url: 'x' }), /content parts of type "input_video"/],
    ['a role newer than the proxy', { messages: [...ask, { role: 'critic', content: 'no' }] }, /role "critic"/],
    [
      'a tool call of a kind the proxy does not know',
      { messages: [...ask, { role: 'assistant', tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'g', input: 'x' } }] }] },
      /tool calls of type "custom"/,
    ],
  ])('refuses %s, and passes it to an OpenAI target as sent', (_name, body, reason) => {
    const req = request(body);
    expect(() => targetCall(req, claude, 'k')).toThrow(UnsupportedRequest);
    expect(() => targetCall(req, claude, 'k')).toThrow(reason);
    expect(targetCall(req, oai, 'k').body).toEqual({ ...req.body, model: 'upstream-model' });
  });
});

describe('dropped: what the translation leaves out, for the log line', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a vendor extension', { enable_thinking: true }, ['enable_thinking']],
    ['stream_options', { stream: true, stream_options: { include_usage: true } }, ['stream_options']],
    ['metadata and store', { metadata: { a: 'b' }, store: true }, ['metadata', 'store']],
    ['a tool of a kind the proxy does not know', { tools: [{ type: 'custom', custom: { name: 'g' } }] }, ['tools.0 (custom)']],
    ['a response format newer than the proxy', { response_format: { type: 'grammar', grammar: 'x' } }, ['response_format (grammar)']],
  ])('lists %s', (_name, body, expected) => {
    expect(request(body).toModel().dropped).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['the sampling fields', { temperature: 0.1, top_p: 0.2, seed: 1, stop: ['x'], presence_penalty: 0.1, frequency_penalty: 0.1 }],
    ['tools and their choice', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'auto', parallel_tool_calls: true }],
    ['a text response format', { response_format: { type: 'text' } }],
    ['null fields', { seed: null, user: null, x_vendor: null }],
    ['output limits, user and reasoning effort', { max_tokens: 5, max_completion_tokens: 5, user: 'u', reasoning_effort: 'low' }],
  ])('does not list %s', (_name, body) => {
    expect(request(body).toModel().dropped).toEqual([]);
  });
});

describe('dropped, against docs/protocols.md', () => {
  it('names seed, the penalties and reasoning_effort, which no Messages body carries, on the call to the target', () => {
    const body = { seed: 1, presence_penalty: 0.5, frequency_penalty: 0.5, reasoning_effort: 'high' };
    const sentBody = targetCall(request(body), claude, 'k').body;
    for (const field of Object.keys(body)) expect(sentBody).not.toHaveProperty(field);
    expect(targetCall(request(body), claude, 'k').dropped).toEqual(expect.arrayContaining(Object.keys(body)));
  });
});

describe('embeddings', () => {
  it('are never translated: an Anthropic target cannot serve them', () => {
    const request = embeddingsCaller.parse({ model: 'e', input: 'x' }, httpWith());
    expect(() => targetCall(request, claude, 'k')).toThrow(UnsupportedRequest);
    expect(targetCall(request, oai, 'k').url).toBe('https://oai.test/v1/embeddings');
  });
});
