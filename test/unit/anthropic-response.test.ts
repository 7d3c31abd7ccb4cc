// Whole answers, stop reasons and error bodies between the Anthropic and OpenAI shapes, against recorded fixtures.
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/errors.ts';
import { anthropicErrorBody } from '../../src/protocols/anthropic.ts';
import { completionToMessage, messageToCompletion, usageFromAnthropic } from '../../src/protocols/anthropic-message.ts';
import { finishReasonOf, stopReasonOf } from '../../src/protocols/anthropic-stop-reason.ts';
import { readCompletion, readErrorInfo } from '../../src/protocols/openai.ts';
import overloaded from '../fixtures/anthropic/error-overloaded.json';
import tooLong from '../fixtures/anthropic/error-prompt-too-long.json';
import textMessage from '../fixtures/anthropic/message-text.json';
import thinkingMessage from '../fixtures/anthropic/message-thinking.json';
import toolMessage from '../fixtures/anthropic/message-tool-use.json';

const NOW = 1_700_000_000_000;

describe('messageToCompletion', () => {
  it('reads a text message as a chat completion the proxy accepts', () => {
    const completion = messageToCompletion(textMessage, NOW);
    expect(completion).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
    });
    expect(readCompletion(completion)?.model).toBe('claude-sonnet-4-5-20250929');
  });

  it('turns tool_use blocks into tool_calls and counts cached input as prompt tokens', () => {
    const completion = messageToCompletion(toolMessage, NOW);
    expect(completion?.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: "I'll check the weather in San Francisco.",
          refusal: null,
          tool_calls: [
            {
              id: 'toolu_01A09q90qw90lq917835lq9',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
            },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(completion?.usage).toEqual({ prompt_tokens: 1684, completion_tokens: 69, total_tokens: 1753 });
  });

  it('turns thinking into reasoning_content and max_tokens into length', () => {
    const completion = messageToCompletion(thinkingMessage, NOW);
    expect(completion?.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: '4', refusal: null, reasoning_content: 'The user wants a short answer. 2 + 2 = 4.' },
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
  });

  it('is undefined for a body that is not a message', () => {
    expect(messageToCompletion(overloaded, NOW)).toBeUndefined();
    expect(messageToCompletion({ type: 'message' }, NOW)).toBeUndefined();
  });
});

describe('completionToMessage', () => {
  it('round-trips a tool-use message back to the Anthropic shape', () => {
    const completion = messageToCompletion(toolMessage, NOW) ?? {};
    expect(completionToMessage(completion, false)).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: "I'll check the weather in San Francisco." },
        {
          type: 'tool_use',
          id: 'toolu_01A09q90qw90lq917835lq9',
          name: 'get_weather',
          input: { location: 'San Francisco, CA', unit: 'celsius' },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 1684, output_tokens: 69 },
    });
  });

  it('shows reasoning as a thinking block only when the caller asked for thinking', () => {
    const completion = messageToCompletion(thinkingMessage, NOW) ?? {};
    expect(completionToMessage(completion, false).content).toEqual([{ type: 'text', text: '4' }]);
    expect(completionToMessage(completion, true).content).toEqual([
      { type: 'thinking', thinking: 'The user wants a short answer. 2 + 2 = 4.', signature: '' },
      { type: 'text', text: '4' },
    ]);
  });

  it('gives an OpenAI completion id the msg_ form', () => {
    const completion = { id: 'chatcmpl-9', model: 'gpt-4o', choices: [{ index: 0, message: { content: 'hi' }, finish_reason: 'length' }] };
    expect(completionToMessage(completion, false)).toMatchObject({ id: 'msg_chatcmpl-9', stop_reason: 'max_tokens' });
  });
});

describe('stop reasons', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    ['model_context_window_exceeded', 'length'],
  ])('maps Anthropic %s to OpenAI %s', (anthropic, openai) => {
    expect(finishReasonOf(anthropic)).toBe(openai);
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
  ])('maps OpenAI %s to Anthropic %s', (openai, anthropic) => {
    expect(stopReasonOf(openai)).toBe(anthropic);
  });
});

describe('errors', () => {
  it('reads Anthropic error bodies for the classifier', () => {
    expect(readErrorInfo(overloaded)).toEqual({ code: '', type: 'overloaded_error', message: 'Overloaded' });
    expect(readErrorInfo(tooLong).message).toMatch(/prompt is too long/);
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'api_error'],
  ])('renders a %i proxy error as Anthropic %s', (status, type) => {
    const body = anthropicErrorBody(new ProxyError(status, 'some_code', 'What went wrong.'));
    expect(body).toEqual({ type: 'error', error: { type, message: 'What went wrong.', code: 'some_code' } });
  });

  it('lists the attempts on the all-failed error', () => {
    const attempts = [{ provider: 'claude', model: 'm', status: 529, ms: 3, retryable: true }];
    const body = anthropicErrorBody(new ProxyError(503, 'all_targets_failed', 'Every provider failed.', { attempts }));
    expect(body.error).toMatchObject({ type: 'api_error', attempts });
  });

  it('reads usage with only output tokens as zero input', () => {
    expect(usageFromAnthropic({ output_tokens: 5 })).toEqual({ prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 });
    expect(usageFromAnthropic({})).toBeUndefined();
  });
});
