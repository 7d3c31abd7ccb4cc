// Responses API targets: the caller's own body passed through, other callers' requests translated, continuations, answers read.
import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../src/config/load.ts';
import type { Json } from '../../src/protocols/json.ts';
import { UnsupportedRequest } from '../../src/protocols/model.ts';
import { responsesCaller } from '../../src/protocols/openai-responses/caller.ts';
import { responsesRequestSchema } from '../../src/protocols/openai-responses/schema.ts';
import { responsesTarget } from '../../src/protocols/openai-responses/target.ts';
import textResponse from '../fixtures/responses/response-text.json?raw';
import { httpWith, parseChat, parseMessages, targetOn } from './helpers/config.ts';

const parse = (body: Json) => responsesCaller.parse(body, httpWith());
const oai = (): ResolvedTarget => targetOn('oai');
const withHeaders = (target: ResolvedTarget, headers: Record<string, string>): ResolvedTarget => ({
  ...target,
  provider: { ...target.provider, headers },
});
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('passthrough: a Responses caller’s own body for a Responses vendor', () => {
  it('posts to /responses with the Bearer key and the provider’s headers, the body as sent with the target’s model', () => {
    const sent: Json = {
      model: 'chat',
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
      ],
      tools: [{ type: 'namespace', name: 'mcp__d__', tools: [{ type: 'function', name: 'f' }] }, { type: 'web_search' }],
      include: ['reasoning.encrypted_content'],
      store: false,
      prompt_cache_key: 'k',
      client_metadata: { a: '1' },
      future_field: { x: 1 },
    };
    const copy = structuredClone(sent);
    const call = responsesTarget.passthrough(parse(sent), withHeaders(oai(), { 'openai-project': 'proj_1' }), 'sk-oai', undefined);
    expect(call.url).toBe('https://oai.test/v1/responses');
    expect(call.headers).toEqual({ authorization: 'Bearer sk-oai', 'openai-project': 'proj_1' });
    expect(call.mode).toBe('passthrough');
    expect(call.body).toEqual({ ...copy, model: 'upstream-model' });
    expect(call.dropped).toBeUndefined();
    expect(sent).toEqual(copy);
  });

  it('sends no authorization header for a provider without a key', () => {
    expect(responsesTarget.passthrough(parse({ model: 'chat', input: 'x' }), oai(), undefined, undefined).headers).toEqual({});
  });

  it.each<[string, number | null | undefined, number | undefined, number | undefined]>([
    ['sets the limit when the request names none', undefined, 512, 512],
    ['sets the limit when the request names null', null, 512, 512],
    ['keeps the request’s own limit', 100, 512, 100],
    ['adds nothing without a limit', undefined, undefined, undefined],
  ])('%s', (_name, asked, limit, expected) => {
    const body: Json = { model: 'chat', input: 'x', ...(asked === undefined ? {} : { max_output_tokens: asked }) };
    expect(responsesTarget.passthrough(parse(body), oai(), 'k', limit).body.max_output_tokens ?? undefined).toBe(expected);
  });

  it('removes the reasoning items an Anthropic vendor wrote, keeps the vendor’s own, and counts what it removed', () => {
    const own = { id: 'rs_2', type: 'reasoning', summary: [], encrypted_content: 'gAAAAB-openai-blob' };
    const input = [
      { role: 'user', content: 'Hi' },
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hm' }], encrypted_content: 'anthropic.thinking:sig' },
      { id: 'rs_3', type: 'reasoning', summary: [], encrypted_content: 'anthropic.redacted:data' },
      own,
      { type: 'function_call', call_id: 'toolu_1', name: 'f', arguments: '{}' },
    ];
    const call = responsesTarget.passthrough(parse({ model: 'chat', input }), oai(), 'k', undefined);
    expect(call.body.input).toEqual([input[0], own, input[4]]);
    expect(call.dropped).toEqual(['input reasoning items written by other vendors (2)']);
  });
});

describe('translate: another caller’s request for a Responses vendor', () => {
  it('builds a Responses body from a Chat Completions request: instructions, items, non-strict tools, format, store false', () => {
    const request = parseChat({
      model: 'chat',
      stream: true,
      max_tokens: 300,
      temperature: 0.2,
      user: 'u1',
      reasoning_effort: 'low',
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema, strict: true } },
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: 'https://i' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '18°C' },
      ],
    });
    const call = responsesTarget.translate(request.toModel(), oai(), 'sk', undefined);
    expect(call.url).toBe('https://oai.test/v1/responses');
    expect(call.mode).toBe('translate');
    expect(call.body).toEqual({
      model: 'upstream-model',
      instructions: 'Be brief.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather?' },
            { type: 'input_image', image_url: 'https://i', detail: 'auto' },
          ],
        },
        { role: 'assistant', content: 'Checking.' },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'c1', output: '18°C' },
      ],
      store: false,
      max_output_tokens: 300,
      stream: true,
      temperature: 0.2,
      safety_identifier: 'u1',
      reasoning: { effort: 'low' },
      tools: [{ type: 'function', name: 'get_weather', parameters: schema, strict: false, description: 'Weather' }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
    });
    expect(responsesRequestSchema.safeParse(call.body).success).toBe(true);
  });

  it('builds one from an Anthropic request, leaving out thinking it cannot give back and naming what it does not send', () => {
    const request = parseMessages({
      model: 'chat',
      max_tokens: 1000,
      top_k: 5,
      messages: [
        { role: 'user', content: 'Run ls' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'bash', input: { cmd: 'ls' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'failed', is_error: true }] },
      ],
    });
    const call = responsesTarget.translate(request.toModel(), oai(), 'sk', 4096);
    expect(call.body.input).toEqual([
      { role: 'user', content: 'Run ls' },
      { type: 'function_call', call_id: 'toolu_1', name: 'bash', arguments: '{"cmd":"ls"}' },
      { type: 'function_call_output', call_id: 'toolu_1', output: 'Error: failed' },
    ]);
    expect(call.body.max_output_tokens).toBe(1000);
    expect(call.dropped).toEqual(['top_k', 'reasoning history']);
  });

  it('sets the target’s limit when the caller named none', () => {
    const call = responsesTarget.translate(
      parseChat({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }).toModel(),
      oai(),
      'sk',
      2048,
    );
    expect(call.body.max_output_tokens).toBe(2048);
  });

  it('refuses stop sequences, which the Responses API cannot carry', () => {
    const request = parseChat({ model: 'chat', stop: ['END'], messages: [{ role: 'user', content: 'x' }] });
    expect(() => responsesTarget.translate(request.toModel(), oai(), 'sk', undefined)).toThrow(UnsupportedRequest);
  });
});

describe('continuation: the same call asking the vendor to go on from text', () => {
  it.each<[string, Json, unknown[]]>([
    [
      'appends an assistant message to items',
      { input: [{ role: 'user', content: 'Tell a story' }] },
      [
        { type: 'message', role: 'user', content: 'Tell a story' },
        { role: 'assistant', content: 'Once upon' },
      ],
    ],
    [
      'turns a string input into items first',
      { input: 'Tell a story' },
      [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Tell a story' }] },
        { role: 'assistant', content: 'Once upon' },
      ],
    ],
    [
      'extends a trailing assistant message',
      {
        input: [
          { role: 'user', content: 'Go' },
          { role: 'assistant', content: [{ type: 'output_text', text: 'Well, ' }] },
        ],
      },
      [
        { type: 'message', role: 'user', content: 'Go' },
        { role: 'assistant', content: 'Well, Once upon' },
      ],
    ],
  ])('%s, streamed', (_name, body, input) => {
    const call = responsesTarget.passthrough(parse({ model: 'chat', ...body }), oai(), 'k', undefined);
    const next = responsesTarget.continuation(call, 'Once upon', oai());
    expect(next.body).toMatchObject({ model: 'upstream-model', stream: true, input });
    expect(next.url).toBe(call.url);
    expect(next.trimmed).toBe(false);
  });
});

describe('answers of a Responses vendor', () => {
  it('decodes a whole Response into the internal shape', () => {
    expect(responsesTarget.decodeAnswer(JSON.parse(textResponse))).toMatchObject({
      model: 'gpt-5-2025-08-07',
      finish: 'stop',
      parts: [{ type: 'reasoning' }, { type: 'text', text: 'There are 3 r\'s in "strawberry".' }],
    });
    expect(responsesTarget.decodeAnswer({ choices: [] })).toBeUndefined();
  });

  it('takes Responses callers as they are and continues no prefix unless a user says so', () => {
    expect(responsesTarget.native).toEqual(['openai-responses']);
    expect(responsesTarget.prefillByDefault).toBe(false);
  });
});
