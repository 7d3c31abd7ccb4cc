import { describe, expect, it } from 'vitest';
import { readChunk, readCompletion, readErrorInfo, readUsage } from '../../src/protocols/openai.ts';
import { scrub } from '../../src/scrub.ts';

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
});

describe('readCompletion and readUsage', () => {
  it('accepts a completion and reads model and usage', () => {
    expect(readCompletion({ model: 'x', choices: [{}], usage: { prompt_tokens: 1, completion_tokens: 2 } })).toEqual({
      model: 'x',
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });
  it('rejects a body without choices', () => {
    expect(readCompletion({ error: {} })).toBeUndefined();
    expect(readCompletion({ choices: [] })).toBeUndefined();
  });
  it('ignores usage without counts', () => {
    expect(readUsage({ total_tokens: 3 })).toBeUndefined();
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
