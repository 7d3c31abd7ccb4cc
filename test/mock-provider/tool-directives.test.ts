// Tests MOCK_TOOL directives: reading them, and the multi-step tool loop they script on both wires (runs in workerd).

import { describe, expect, it } from 'vitest';
import { message, messages } from './anthropic-test-client.ts';
import type { MockProvider } from './handler.ts';
import { createMockProvider } from './handler.ts';
import { directiveStep, readDirectives } from './tool-directives.ts';

const writeInput = { file_path: '/tmp/w/hello.txt', content: 'hi {there}\n"quoted"' };
const prompt = `Create a file, then read it.\nMOCK_TOOL Write ${JSON.stringify(writeInput)}\nMOCK_TOOL Read {"file_path": "/tmp/w/hello.txt"}`;

describe('readDirectives', () => {
  it('reads each directive on its own line or inside one, with braces and quotes inside JSON strings', () => {
    expect(readDirectives(prompt)).toEqual([
      { name: 'Write', input: writeInput },
      { name: 'Read', input: { file_path: '/tmp/w/hello.txt' } },
    ]);
    expect(readDirectives('Do it. MOCK_TOOL Bash {"command": "echo }"} and then stop.')).toEqual([
      { name: 'Bash', input: { command: 'echo }' } },
    ]);
  });

  it.each([
    ['JSON that is not an object', 'MOCK_TOOL Bash ["ls"]'],
    ['broken JSON', 'MOCK_TOOL Bash {"command": ls}'],
    ['an unclosed object', 'MOCK_TOOL Bash {"command": "ls"'],
    ['no tool name', 'MOCK_TOOL {"command": "ls"}'],
    ['no JSON', 'MOCK_TOOL Bash'],
  ])('skips %s', (_, text) => {
    expect(readDirectives(text)).toEqual([]);
  });

  it('picks directive k once k-1 results are in, only among callable tools, then says done', () => {
    const texts = ['MOCK_TOOL A {"n": 1}', 'MOCK_TOOL Nope {} MOCK_TOOL B {"n": 2}'];
    expect(directiveStep(texts, ['A', 'B'], 0)).toEqual({ kind: 'call', directive: { name: 'A', input: { n: 1 } } });
    expect(directiveStep(texts, ['A', 'B'], 1)).toEqual({ kind: 'call', directive: { name: 'B', input: { n: 2 } } });
    expect(directiveStep(texts, ['A', 'B'], 2)).toEqual({ kind: 'done' });
    expect(directiveStep(texts, undefined, 0)).toEqual({ kind: 'none' });
    expect(directiveStep(['no directive here'], ['A'], 0)).toEqual({ kind: 'none' });
  });
});

const anthropicTools = ['Write', 'Read', 'Bash'].map((name) => ({ name, input_schema: { type: 'object' } }));

describe('MOCK_TOOL on the Anthropic wire', () => {
  it('plays a two-step loop with thinking, then answers with the last result', async () => {
    const provider = createMockProvider();
    const conversation: Array<{ role: string; content: unknown }> = [{ role: 'user', content: [{ type: 'text', text: prompt }] }];
    const body = () => ({ tools: anthropicTools, thinking: { type: 'adaptive' }, messages: conversation });
    const inputs: unknown[] = [];
    for (const output of ['File created', 'hi']) {
      const turn = await message(await messages(provider, '', body()));
      expect(turn.stop_reason).toBe('tool_use');
      const call = turn.content.find((block) => block.type === 'tool_use');
      if (call?.type !== 'tool_use') throw new Error('no tool_use');
      inputs.push({ name: call.name, input: call.input });
      conversation.push({ role: 'assistant', content: turn.content });
      conversation.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: output }] });
    }
    expect(inputs).toEqual([
      { name: 'Write', input: writeInput },
      { name: 'Read', input: { file_path: '/tmp/w/hello.txt' } },
    ]);
    const last = await message(await messages(provider, '', body()));
    expect(last.content.at(-1)).toEqual({ type: 'text', text: 'Tool said: hi' });
    expect(last.stop_reason).toBe('end_turn');
  });

  it('streams the directive input as input_json_delta fragments', async () => {
    const text = await (
      await messages(createMockProvider(), '', { tools: anthropicTools, stream: true, messages: [{ role: 'user', content: prompt }] })
    ).text();
    const fragments = [...text.matchAll(/"partial_json":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1] ?? '""') as string);
    expect(JSON.parse(fragments.join(''))).toEqual(writeInput);
  });

  it('ignores a directive for a tool not offered, or under tool_choice none, and answers text after the loop', async () => {
    const provider = createMockProvider();
    const other = await message(
      await messages(provider, '', { tools: anthropicTools, messages: [{ role: 'user', content: 'MOCK_TOOL Grep {"q": 1}' }] }),
    );
    expect(other.content).toEqual([{ type: 'tool_use', id: 'toolu_mock_1', name: 'Write', input: { query: 'MOCK_TOOL Grep {"q": 1}' } }]);
    const none = await message(
      await messages(provider, '', { tools: anthropicTools, tool_choice: { type: 'none' }, messages: [{ role: 'user', content: prompt }] }),
    );
    expect(none.content).toEqual([{ type: 'text', text: 'Hello from the mock provider.' }]);
    const done = [
      { role: 'user', content: 'MOCK_TOOL Bash {"command": "ls"}' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.txt' }] },
      { role: 'assistant', content: 'Tool said: a.txt' },
      { role: 'user', content: 'Thanks!' },
    ];
    expect((await message(await messages(provider, 'reply=Bye.', { tools: anthropicTools, messages: done }))).content).toEqual([
      { type: 'text', text: 'Bye.' },
    ]);
  });
});

function chat(provider: MockProvider, body: Record<string, unknown>): Promise<Response> {
  return provider.fetch('http://mock.test/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
  });
}

type Completion = {
  choices: Array<{
    message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> };
  }>;
};

describe('MOCK_TOOL on the OpenAI wire', () => {
  it('plays the same loop as tool_calls and tool messages', async () => {
    const provider = createMockProvider();
    const tools = ['Bash', 'Write', 'Read'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } }));
    const conversation: Array<Record<string, unknown>> = [{ role: 'user', content: prompt }];
    const calls: unknown[] = [];
    for (const output of ['File created', 'hi']) {
      const completion = (await (await chat(provider, { tools, messages: conversation })).json()) as Completion;
      const call = completion.choices[0]?.message.tool_calls?.[0];
      if (call === undefined) throw new Error('no tool call');
      calls.push({ name: call.function.name, input: JSON.parse(call.function.arguments) });
      conversation.push({ role: 'assistant', content: null, tool_calls: [{ ...call, type: 'function' }] });
      conversation.push({ role: 'tool', tool_call_id: call.id, content: output });
    }
    expect(calls).toEqual([
      { name: 'Write', input: writeInput },
      { name: 'Read', input: { file_path: '/tmp/w/hello.txt' } },
    ]);
    const last = (await (await chat(provider, { tools, messages: conversation })).json()) as Completion;
    expect(last.choices[0]?.message).toMatchObject({ content: 'Tool said: hi' });
  });
});
