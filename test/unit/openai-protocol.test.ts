import { describe, expect, it } from 'vitest';
import { scrub } from '../../src/observability/scrub.ts';
import { readChunk, readCompletion, readErrorInfo, readUsage, streamErrorOf, usageOf } from '../../src/protocols/openai.ts';

const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  object: 'chat.completion.chunk',
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

describe('readChunk', () => {
  it.each([
    ['a role-only first chunk', chunk({ role: 'assistant', content: '' }), false],
    ['a text delta', chunk({ content: 'Hi' }), true],
    ["DeepSeek's reasoning_content", chunk({ reasoning_content: 'thinking' }), true],
    ["OpenRouter's and Ollama's reasoning", chunk({ content: '', reasoning: 'thinking' }), true],
    ['a null reasoning beside empty content', chunk({ content: '', reasoning: null }), false],
    ['a refusal', chunk({ refusal: 'no' }), true],
    ['a tool-call delta', chunk({ tool_calls: [{ index: 0, function: { arguments: '{' } }] }), true],
    ['a finish with an empty delta', chunk({}, 'stop'), true],
  ])('treats %s as token=%s (the commit point)', (_name, value, token) => {
    expect(readChunk(value)?.token).toBe(token);
  });

  it('reads a usage-only chunk', () => {
    const info = readChunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    expect(info).toMatchObject({ usageOnly: true, token: false, usage: { total_tokens: 7 } });
  });

  it('records which choices finished', () => {
    const info = readChunk({ choices: [{ index: 1, delta: {}, finish_reason: 'length' }] });
    expect(info?.finished).toEqual([1]);
  });

  it.each([[null], [[]], [{ choices: 'x' }], [{ choices: [1] }], ['text']])('rejects %j as not a chunk', (value) => {
    expect(readChunk(value)).toBeUndefined();
  });

  it("reads Moonshot's usage from inside the finishing choice", () => {
    const usage = { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32 };
    const info = readChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage }] });
    expect(info).toMatchObject({ usage, finished: [0], usageOnly: false });
  });

  it("reads Groq's usage from x_groq on the last chunk", () => {
    const usage = { queue_time: 0.04, prompt_tokens: 45, completion_tokens: 5, total_tokens: 50, total_time: 0.01 };
    const info = readChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage } });
    expect(info?.usage).toEqual({ prompt_tokens: 45, completion_tokens: 5, total_tokens: 50 });
  });
});

describe('usageOf', () => {
  const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
  it.each([
    ['top level', { usage }],
    ['x_groq', { x_groq: { usage } }],
    ['a choice', { choices: [{ index: 0, usage }] }],
  ])('finds usage at %s', (_where, value) => {
    expect(usageOf(value)).toEqual(usage);
  });
  it('prefers the top-level usage and ignores null ones', () => {
    expect(usageOf({ usage: null, x_groq: { id: 'x' }, choices: [{ usage: null }] })).toBeUndefined();
    expect(usageOf({ usage, x_groq: { usage: { prompt_tokens: 9, completion_tokens: 9 } } })).toEqual(usage);
  });
});

describe('streamErrorOf', () => {
  it("reads OpenRouter's mid-stream error chunk from its error object", () => {
    const value = {
      error: { code: 'server_error', message: 'Provider disconnected unexpectedly' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    };
    expect(streamErrorOf(value)).toEqual({ code: 'server_error', type: '', message: 'Provider disconnected unexpectedly' });
  });
  it.each(['error', 'network_error', 'insufficient_system_resource'])(
    'treats a choice finished with %s as a failure, not a finish',
    (reason) => {
      expect(streamErrorOf({ choices: [{ index: 0, delta: {}, finish_reason: reason }] })?.code).toBe(reason);
    },
  );
  it.each([
    [{ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
    [{ choices: [{ index: 0, delta: {}, finish_reason: 'sensitive' }] }],
    [{ choices: [], usage: null, error: null }],
    ['[DONE]'],
  ])('leaves an ordinary event alone: %j', (value) => {
    expect(streamErrorOf(value)).toBeUndefined();
  });
});

describe('readCompletion and readUsage', () => {
  it('accepts a completion and reads model and usage', () => {
    expect(readCompletion({ model: 'x', choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } })).toEqual(
      {
        model: 'x',
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        cacheable: true,
      },
    );
  });
  it.each([
    ['stop', true],
    ['length', true],
    ['tool_calls', true],
    ['content_filter', false],
    ['sensitive', false],
    [null, false],
  ])('marks an answer finished with %s as cacheable: %s', (finish, cacheable) => {
    expect(readCompletion({ model: 'x', choices: [{ finish_reason: finish }] })?.cacheable).toBe(cacheable);
  });
  it('rejects a body without choices', () => {
    expect(readCompletion({ error: {} })).toBeUndefined();
    expect(readCompletion({ choices: [] })).toBeUndefined();
  });
  it('ignores usage without counts', () => {
    expect(readUsage({ total_tokens: 3 })).toBeUndefined();
  });
  it("folds xAI's reasoning tokens, counted outside completion_tokens, into the completion", () => {
    const xai = { prompt_tokens: 10, completion_tokens: 35, total_tokens: 420, completion_tokens_details: { reasoning_tokens: 375 } };
    expect(readUsage(xai)).toEqual({ prompt_tokens: 10, completion_tokens: 410, total_tokens: 420 });
  });
  it('leaves reasoning tokens alone when completion_tokens already holds them (OpenAI, DeepSeek)', () => {
    const deepseek = { prompt_tokens: 10, completion_tokens: 400, total_tokens: 410, completion_tokens_details: { reasoning_tokens: 375 } };
    expect(readUsage(deepseek)).toEqual({ prompt_tokens: 10, completion_tokens: 400, total_tokens: 410 });
  });
});

describe('readErrorInfo', () => {
  it.each([
    [{ error: { message: 'm', type: 'Server_Error', code: 'X' } }, { code: 'x', type: 'server_error', message: 'm' }],
    [{ error: { message: 'm', code: 429 } }, { code: '429', type: '', message: 'm' }],
    [{ error: 'plain' }, { code: '', type: '', message: 'plain' }],
    [
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      { code: '', type: 'overloaded_error', message: 'Overloaded' },
    ],
    ['<html>bad gateway</html>', { code: '', type: '', message: '<html>bad gateway</html>' }],
    [42, { code: '', type: '', message: '' }],
    [
      [{ error: { code: 429, message: 'You exceeded your current quota', status: 'RESOURCE_EXHAUSTED' } }],
      { code: '429', type: 'resource_exhausted', message: 'You exceeded your current quota' },
    ],
    [
      { error: { code: '1113', message: '余额不足或无可用资源包,请充值。' } },
      { code: 'insufficient_quota', type: '', message: '余额不足或无可用资源包,请充值。' },
    ],
    [{ error: { code: '1301', message: '敏感内容' } }, { code: 'content_filter', type: '', message: '敏感内容' }],
    [
      { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***cd.' },
      { code: '', type: '', message: 'Incorrect API key provided: xa***cd.' },
    ],
    [
      { object: 'error', message: 'Unauthorized', type: 'invalid_request_error' },
      { code: '', type: 'invalid_request_error', message: 'Unauthorized' },
    ],
    [[], { code: '', type: '', message: '' }],
  ])('reads %j', (value, expected) => {
    expect(readErrorInfo(value)).toEqual(expected);
  });
});

describe('scrub', () => {
  it('removes a known secret wherever it appears', () => {
    expect(scrub('key abcd1234efgh was refused', ['abcd1234efgh'])).toBe('key [redacted] was refused');
  });
  it.each([
    ['Incorrect API key provided: sk-proj-abcdefghijklmnop', 'Incorrect API key provided: [redacted]'],
    ['Authorization: Bearer eyJhbGciOi.payload.sig was rejected', 'Authorization: [redacted] was rejected'],
    ['token 0123456789abcdef0123456789abcdef01 leaked', 'token [redacted] leaked'],
  ])('removes what looks like a key from %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });
  it('truncates long vendor messages', () => {
    expect(scrub('word '.repeat(500)).length).toBeLessThanOrEqual(301);
  });
});
