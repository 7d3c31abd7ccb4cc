// Reading what OpenAI-compatible vendors send whole: completions, usage wherever it sits, error bodies; and scrubbing their messages.
import { describe, expect, it } from 'vitest';
import { scrub } from '../../src/observability/scrub.ts';
import { readErrorInfo } from '../../src/protocols/error-info.ts';
import { readCompletion } from '../../src/protocols/openai-chat/answer.ts';
import { openaiUsage, readUsage, usageOf } from '../../src/protocols/openai-chat/usage.ts';
import overloaded from '../fixtures/anthropic/error-overloaded.json?raw';
import tooLong from '../fixtures/anthropic/error-prompt-too-long.json?raw';
import { RECORDED } from '../fixtures/presets/recorded.ts';

describe('readCompletion', () => {
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
    ['function_call', true],
    ['content_filter', false],
    ['sensitive', false],
    [null, false],
  ])('marks an answer finished with %s as cacheable: %s', (finish, cacheable) => {
    expect(readCompletion({ model: 'x', choices: [{ finish_reason: finish }] })?.cacheable).toBe(cacheable);
  });

  it('caches several choices only when every one finished cleanly', () => {
    const choices = [
      { index: 0, finish_reason: 'stop' },
      { index: 1, finish_reason: 'content_filter' },
    ];
    expect(readCompletion({ choices })?.cacheable).toBe(false);
  });

  it('rejects a body without choices', () => {
    expect(readCompletion({ error: {} })).toBeUndefined();
    expect(readCompletion({ choices: [] })).toBeUndefined();
  });

  it.each(Object.keys(RECORDED) as (keyof typeof RECORDED)[])('reads the recorded %s completion with its model and usage', (preset) => {
    const facts = readCompletion(JSON.parse(RECORDED[preset].completion));
    expect(facts?.model).toBe(JSON.parse(RECORDED[preset].completion).model);
    expect(facts?.usage?.total_tokens).toBeGreaterThan(0);
    expect(facts?.cacheable).toBe(true);
  });
});

describe('readUsage and usageOf', () => {
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

  it('ignores usage without counts', () => {
    expect(readUsage({ total_tokens: 3 })).toBeUndefined();
  });

  it('keeps cached and reasoning token details', () => {
    const value = { ...usage, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 2 } };
    expect(readUsage(value)).toEqual({ ...usage, cached_tokens: 1, reasoning_tokens: 2 });
    expect(openaiUsage({ ...usage, cached_tokens: 1, reasoning_tokens: 2 })).toEqual(value);
  });

  it("folds xAI's reasoning tokens, counted outside completion_tokens, into the completion", () => {
    const xai = { prompt_tokens: 10, completion_tokens: 35, total_tokens: 420, completion_tokens_details: { reasoning_tokens: 375 } };
    expect(readUsage(xai)).toEqual({ prompt_tokens: 10, completion_tokens: 410, total_tokens: 420, reasoning_tokens: 375 });
  });

  it('leaves reasoning tokens alone when completion_tokens already holds them (OpenAI, DeepSeek)', () => {
    const deepseek = { prompt_tokens: 10, completion_tokens: 400, total_tokens: 410, completion_tokens_details: { reasoning_tokens: 375 } };
    expect(readUsage(deepseek)).toEqual({ prompt_tokens: 10, completion_tokens: 400, total_tokens: 410, reasoning_tokens: 375 });
  });
});

describe('readErrorInfo', () => {
  it.each([
    [{ error: { message: 'm', type: 'Server_Error', code: 'X' } }, { code: 'x', type: 'server_error', message: 'm' }],
    [{ error: { message: 'm', code: 429 } }, { code: '429', type: '', message: 'm' }],
    [{ error: 'plain' }, { code: '', type: '', message: 'plain' }],
    [JSON.parse(overloaded), { code: '', type: 'overloaded_error', message: 'Overloaded' }],
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

  it('reads an Anthropic prompt-too-long body for the classifier', () => {
    expect(readErrorInfo(JSON.parse(tooLong)).message).toMatch(/prompt is too long/);
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
