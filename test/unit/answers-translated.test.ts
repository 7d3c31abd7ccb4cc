// Whole answers across protocols: an Anthropic message read by an OpenAI caller and the reverse, usage with cached tokens, stop reasons.
import { describe, expect, it } from 'vitest';
import { messageToModel, modelToMessage, usageFromAnthropic } from '../../src/protocols/anthropic/message.ts';
import { finishReasonOf, stopReasonOf } from '../../src/protocols/anthropic/stop-reason.ts';
import type { Json } from '../../src/protocols/json.ts';
import type { FinishReason } from '../../src/protocols/model.ts';
import { completionToModel, finishOf, modelToCompletion } from '../../src/protocols/openai-chat/answer.ts';
import { targetCall, wholeAnswer } from '../../src/protocols/registry.ts';
import overloaded from '../fixtures/anthropic/error-overloaded.json?raw';
import textMessage from '../fixtures/anthropic/message-text.json?raw';
import thinkingMessage from '../fixtures/anthropic/message-thinking.json?raw';
import toolMessage from '../fixtures/anthropic/message-tool-use.json?raw';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { parseChat, parseMessages, targetOn } from './helpers/config.ts';

const NOW = 1_700_000_000_000;
const toCompletion = (raw: string) => {
  const answer = messageToModel(JSON.parse(raw), NOW);
  return answer === undefined ? undefined : modelToCompletion(answer);
};
const toMessage = (raw: string, withThinking = false) => {
  const answer = completionToModel(JSON.parse(raw), NOW);
  return answer === undefined ? undefined : modelToMessage(answer, withThinking);
};

describe('Anthropic message -> chat.completion', () => {
  it('reads a text message as a completion', () => {
    expect(toCompletion(textMessage)).toEqual({
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
  });

  it('turns tool_use into tool_calls and counts cache reads and writes as prompt tokens, the reads as cached', () => {
    const completion = toCompletion(toolMessage);
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
    expect(completion?.usage).toEqual({
      prompt_tokens: 1684,
      completion_tokens: 69,
      total_tokens: 1753,
      prompt_tokens_details: { cached_tokens: 1200 },
    });
  });

  it('turns thinking into reasoning_content and max_tokens into length', () => {
    expect(toCompletion(thinkingMessage)?.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: '4', refusal: null, reasoning_content: 'The user wants a short answer. 2 + 2 = 4.' },
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
  });

  it('is no answer for a body that is not a message', () => {
    expect(messageToModel(JSON.parse(overloaded), NOW)).toBeUndefined();
    expect(messageToModel({ type: 'message' }, NOW)).toBeUndefined();
  });

  it('is what an OpenAI caller gets from an Anthropic target, with the facts the proxy logs and caches by', () => {
    const request = parseChat({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    const target = targetOn('claude');
    const call = targetCall(request, target, 'k');
    const result = wholeAnswer(request, target, call, JSON.parse(toolMessage), toolMessage);
    expect(result?.facts).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      usage: { prompt_tokens: 1684, completion_tokens: 69, total_tokens: 1753, cached_tokens: 1200, cache_write_tokens: 100 },
      cacheable: true,
    });
    expect(JSON.parse(result?.text ?? '{}')).toMatchObject({ object: 'chat.completion', choices: [{ finish_reason: 'tool_calls' }] });
    expect(wholeAnswer(request, target, call, JSON.parse(overloaded), overloaded)).toBeUndefined();
  });

  it('serves a refusal to an OpenAI caller as content_filter, never cached', () => {
    const refusal = { ...JSON.parse(textMessage), stop_reason: 'refusal' };
    const answer = messageToModel(refusal, NOW);
    expect(answer).toMatchObject({ finish: 'content_filter', cacheable: false });
  });
});

describe('chat.completion -> Anthropic message', () => {
  it('round-trips the tool-use message, cache reads and writes included', () => {
    const answer = messageToModel(JSON.parse(toolMessage), NOW);
    expect(answer && modelToMessage(answer, false)).toEqual(JSON.parse(toolMessage));
  });

  it('reads a recorded OpenAI completion as a message', () => {
    const completion = JSON.parse(RECORDED.gemini.completion);
    expect(toMessage(RECORDED.gemini.completion)).toEqual({
      id: `msg_${completion.id}`,
      type: 'message',
      role: 'assistant',
      model: 'gemini-2.5-flash',
      content: [{ type: 'text', text: 'Hello there! How can I help?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 8 },
    });
  });

  it.each([
    ['deepseek', 'The user wants a greeting. Keep it short.'],
    ['openrouter', 'The user wants a greeting.'],
    ['zhipu', '用户在打招呼。'],
  ] as const)('shows %s’s reasoning as a thinking block only when the caller asked for thinking', (preset, reasoning) => {
    const completion = RECORDED[preset].completion;
    expect(toMessage(completion, false)?.content).toEqual([{ type: 'text', text: expect.any(String) }]);
    expect(toMessage(completion, true)?.content).toEqual([
      { type: 'thinking', thinking: reasoning, signature: '' },
      { type: 'text', text: expect.any(String) },
    ]);
  });

  it('gives cached prompt tokens back as cache reads, the rest as input', () => {
    // xAI: 10 prompt tokens, 3 of them cached; 44 reasoning tokens counted outside completion_tokens.
    expect(toMessage(RECORDED.xai.completion)?.usage).toEqual({ input_tokens: 7, output_tokens: 53, cache_read_input_tokens: 3 });
  });

  it('turns tool_calls into tool_use blocks with parsed input, and gives an OpenAI id the msg_ form', () => {
    const completion = {
      id: 'chatcmpl-9',
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    };
    expect(toMessage(JSON.stringify(completion))).toMatchObject({
      id: 'msg_chatcmpl-9',
      content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  });

  it('is what an Anthropic caller asking for thinking gets from an OpenAI target', () => {
    const request = parseMessages({
      model: 'chat',
      max_tokens: 9,
      thinking: { type: 'adaptive' },
      messages: [{ role: 'user', content: 'hi' }],
    });
    const target = targetOn('oai');
    const result = wholeAnswer(request, target, targetCall(request, target, 'k'), JSON.parse(RECORDED.deepseek.completion), '');
    const message = JSON.parse(result?.text ?? '{}') as Json;
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user wants a greeting. Keep it short.', signature: '' },
      { type: 'text', text: 'Hello! How can I help?' },
    ]);
    expect(result?.facts.cacheable).toBe(true);
  });
});

describe('stop and finish reasons', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    ['model_context_window_exceeded', 'length'],
    ['something_new', 'stop'],
  ])('maps Anthropic %s to %s', (anthropic, finish) => {
    expect(finishReasonOf(anthropic)).toBe(finish);
  });

  it.each<[FinishReason, string]>([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
  ])('maps %s to Anthropic %s', (finish, anthropic) => {
    expect(stopReasonOf(finish)).toBe(anthropic);
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['sensitive', 'content_filter'],
    [null, 'stop'],
  ])('maps OpenAI-compatible %s to %s', (reason, finish) => {
    expect(finishOf(reason)).toBe(finish);
  });

  it('reads Anthropic usage with only output tokens as zero input, and none without counts', () => {
    expect(usageFromAnthropic({ output_tokens: 5 })).toEqual({ prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 });
    expect(usageFromAnthropic({})).toBeUndefined();
  });
});
