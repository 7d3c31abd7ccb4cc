// Chat Completions streams and whole answers both ways: ChunkAssembler for the cache, completionToChunks for a cache hit's replay.
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import type { Json } from '../../src/protocols/json.ts';
import { ChunkAssembler, completionToChunks } from '../../src/protocols/openai-chat/assemble.ts';
import { chatCaller } from '../../src/protocols/openai-chat/caller.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { parseChat } from './helpers/config.ts';
import { parsedOf, sseEvents } from './helpers/wire.ts';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 5, model: 'm-1' };
const chunk = (delta: object, finish: string | null = null, index = 0): WireEvent => ({
  data: { ...base, choices: [{ index, delta, finish_reason: finish }] },
});
const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
const assemble = (events: readonly WireEvent[], reported?: typeof usage) => {
  const assembler = new ChunkAssembler();
  for (const event of events) assembler.add(event);
  return assembler.result(reported);
};
/** The choices of the assembled answer (none when there is no answer to cache). */
const choicesOf = (events: readonly WireEvent[]) => (assemble(events)?.choices ?? []) as Json[];

describe('ChunkAssembler', () => {
  it('assembles text, finish and usage into a chat.completion', () => {
    const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop')];
    expect(assemble([...events, { data: { ...base, choices: [], usage } }, { data: '[DONE]' }])).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 5,
      model: 'm-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  });

  it('assembles streamed tool-call arguments', () => {
    const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } };
    const [choice] = choicesOf([
      chunk({ role: 'assistant', content: null, tool_calls: [call] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(choice?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }],
    });
  });

  it('assembles several choices apart, in index order', () => {
    const choices = choicesOf([chunk({ content: 'B' }, null, 1), chunk({ content: 'A' }, 'stop', 0), chunk({}, 'length', 1)]);
    expect(choices.map((c) => [c.index, (c.message as Json).content, c.finish_reason])).toEqual([
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ]);
  });

  it('keeps reasoning (either name) and refusals', () => {
    const message = choicesOf([
      chunk({ reasoning: 'r1' }),
      chunk({ reasoning_content: 'r2' }),
      chunk({ refusal: 'No.' }),
      chunk({}, 'stop'),
    ])[0]?.message;
    expect(message).toEqual({ role: 'assistant', content: '', reasoning_content: 'r1r2', refusal: 'No.' });
  });

  it('takes the usage the relay read elsewhere when the stream showed none', () => {
    expect(assemble([chunk({ content: 'x' }), chunk({}, 'stop')], usage)?.usage).toEqual(usage);
  });

  it.each([
    ['a choice never finished', [chunk({ content: 'x' })]],
    ['a choice finished filtered', [chunk({ content: 'x' }), chunk({}, 'content_filter')]],
    ['one of two choices unfinished', [chunk({ content: 'x' }, 'stop', 0), chunk({ content: 'y' }, null, 1)]],
  ])('gives no answer to cache when %s', (_name, events) => {
    expect(assemble(events)).toBeUndefined();
  });

  it('counts the characters it holds', () => {
    const assembler = new ChunkAssembler();
    assembler.add(chunk({ content: 'x'.repeat(1000) }));
    expect(assembler.size).toBeGreaterThanOrEqual(1000);
  });
});

describe('completionToChunks then ChunkAssembler', () => {
  const completion = {
    id: 'chatcmpl-7',
    object: 'chat.completion',
    created: 7,
    model: 'm',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hello there', reasoning_content: 'hmm' }, logprobs: null, finish_reason: 'stop' },
      {
        index: 1,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  };

  it('replays a completion as a stream that assembles back to the same answer', () => {
    const chunks = completionToChunks(completion, true);
    expect(chunks.at(-1)).toEqual({ data: '[DONE]' });
    expect(assemble(chunks)).toEqual(completion);
  });

  it('leaves the usage chunk out unless asked', () => {
    expect(completionToChunks(completion, false).some((c) => JSON.stringify(c.data).includes('"usage"'))).toBe(false);
  });

  it('replays tool calls with their index and the finish last', () => {
    const datas = completionToChunks(completion, false)
      .slice(0, -1)
      .map((c) => c.data as { choices: { index: number; delta: Json; finish_reason: unknown }[] });
    const call = datas.find((d) => d.choices[0]?.delta.tool_calls !== undefined)?.choices[0];
    expect(call).toMatchObject({ index: 1, delta: { tool_calls: [{ index: 0, id: 'c' }] } });
    expect(datas.at(-1)?.choices[0]).toMatchObject({ index: 1, finish_reason: 'tool_calls' });
  });

  it('replays through the caller adapter with usage only when the request asked for it', () => {
    const asked = parseChat({
      model: 'chat',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const plain = parseChat({ model: 'chat', messages: [{ role: 'user', content: 'x' }], stream: true });
    expect(chatCaller.replay(completion, asked)).toEqual(completionToChunks(completion, true));
    expect(chatCaller.replay(completion, plain)).toEqual(completionToChunks(completion, false));
  });

  it.each(['openai', 'deepseek', 'zhipu', 'openrouter'] as const)(
    'assembles the recorded %s stream to its recorded completion’s message',
    (preset) => {
      const events = sseEvents(RECORDED[preset].stream).map((sse) => ({ data: parsedOf(sse) ?? sse.data }));
      const completion = JSON.parse(RECORDED[preset].completion) as { choices: { message: Json }[] };
      const [choice] = choicesOf(events);
      expect(choice?.message).toMatchObject({ content: completion.choices[0]?.message.content });
      expect(choice?.finish_reason).toBe('stop');
    },
  );
});
