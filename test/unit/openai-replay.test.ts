import { describe, expect, it } from 'vitest';
import { ChunkAssembler, completionToChunks, textCompletion } from '../../src/protocols/openai-replay.ts';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 5, model: 'm-1' };
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

describe('ChunkAssembler', () => {
  it('assembles text, finish and usage into a chat.completion', () => {
    const a = new ChunkAssembler();
    for (const c of [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop')])
      a.add(c);
    a.add({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    expect(a.result()).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 5,
      model: 'm-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('assembles streamed tool-call arguments', () => {
    const a = new ChunkAssembler();
    a.add(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
    );
    a.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }));
    a.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }));
    a.add(chunk({}, 'tool_calls'));
    const message = (a.result().choices as { message: object }[])[0]?.message;
    expect(message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }],
    });
  });
});

describe('completionToChunks', () => {
  it('replays a completion as a stream that assembles back to the same answer', () => {
    const completion = textCompletion('id-1', 'm', 'Hello there', 7);
    const datas = completionToChunks(completion, true);
    expect(datas.at(-1)).toBe('[DONE]');
    const a = new ChunkAssembler();
    for (const d of datas.slice(0, -1)) a.add(JSON.parse(d));
    const back = a.result();
    expect((back.choices as { message: { content: string } }[])[0]?.message.content).toBe('Hello there');
    expect(back.usage).toEqual(completion.usage);
  });

  it('leaves the usage chunk out unless asked', () => {
    const datas = completionToChunks(textCompletion('id', 'm', 'x', 1), false);
    expect(datas.some((d) => d.includes('"usage"'))).toBe(false);
  });

  it('replays tool calls with their index', () => {
    const completion = {
      id: 'i',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const chunks = completionToChunks(completion, false)
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    expect(chunks.find((c) => c.choices[0].delta.tool_calls)?.choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, id: 'c' });
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });
});
