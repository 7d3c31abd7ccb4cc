// Replays the recorded Claude Code requests (test/fixtures/claude-code) to the mock: it must accept each, and check the thinking they carry. Runs in Node.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from './claude-code-replay.ts';
import { replay } from './claude-code-replay.ts';
import { createMockProvider } from './handler.ts';
import { sseEvents } from './sse-reader.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'claude-code');
const recorded = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, request: JSON.parse(readFileSync(join(dir, file), 'utf8')) as RecordedRequest }));

type Body = { thinking?: { type: string }; stream?: boolean; messages: Array<{ role: string; content: unknown }> };
const bodyOf = (request: RecordedRequest) => request.body as Body;
const withBody = (request: RecordedRequest, body: Body): RecordedRequest => ({ ...request, body });
const recording = (name: string) => recorded.filter(({ file }) => file.startsWith(`${name}.`)).map(({ request }) => request);

/** The last assistant message's content blocks. */
function lastAssistant(body: Body): Array<Record<string, unknown>> {
  const content = body.messages.findLast((message) => message.role === 'assistant')?.content;
  if (!Array.isArray(content)) throw new Error('no assistant turn');
  return content as Array<Record<string, unknown>>;
}

describe('recorded Claude Code requests', () => {
  it('are all there, without credentials', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(10);
    for (const { request } of recorded) {
      expect(Object.keys(request.headers)).not.toContain('x-api-key');
      expect(Object.keys(request.headers)).not.toContain('authorization');
    }
  });

  it.each(recorded.map(({ file, request }) => [file, request] as const))('%s is accepted by the mock', async (_, request) => {
    const response = await replay(createMockProvider(), request);
    expect(response.status).toBe(200);
    if (request.path === '/v1/messages/count_tokens') {
      expect(await response.json()).toEqual({ input_tokens: expect.any(Number) });
      return;
    }
    const events = sseEvents(await response.text());
    expect(events.at(-1)?.event).toBe('message_stop');
    const first = events.find((event) => event.event === 'content_block_start');
    const thinking = bodyOf(request).thinking;
    const on = thinking?.type === 'adaptive' || thinking?.type === 'enabled';
    const type = (JSON.parse(first?.data ?? '{}') as { content_block: { type: string } }).content_block.type;
    if (on) expect(type).toBe(request.scenario.includes('redacted-thinking') ? 'redacted_thinking' : 'thinking');
    else expect(['text', 'tool_use']).toContain(type);
  });

  it('sends back exactly the blocks the mock answered, thinking and signature included', async () => {
    for (const name of ['adaptive-thinking', 'budget-thinking', 'no-thinking', 'two-steps-redacted']) {
      const [first, second] = recording(name);
      if (first === undefined || second === undefined) throw new Error(`no recording ${name}`);
      const answer = await replay(createMockProvider(), withBody(first, { ...bodyOf(first), stream: false }));
      const { content } = (await answer.json()) as { content: unknown[] };
      expect(lastAssistant(bodyOf(second))).toEqual(content);
    }
  });

  it('would be refused had the thinking been dropped or its signature changed', async () => {
    const [, loop] = recording('adaptive-thinking');
    if (loop === undefined) throw new Error('no recording');
    const body = bodyOf(loop);
    const at = body.messages.findLastIndex((message) => message.role === 'assistant');
    const edit = (blocks: Array<Record<string, unknown>>) =>
      withBody(loop, { ...body, messages: body.messages.map((message, i) => (i === at ? { ...message, content: blocks } : message)) });
    const [thinking, ...rest] = lastAssistant(body);
    const dropped = await replay(createMockProvider(), edit(rest));
    expect(dropped.status).toBe(400);
    expect(((await dropped.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`^messages\\.${at}\\.content\\.0\\.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`tool_use\``),
    );
    const forged = await replay(createMockProvider(), edit([{ ...thinking, signature: 'EqQBCgIYAhIM' }, ...rest]));
    expect(((await forged.json()) as { error: { message: string } }).error.message).toBe(
      `messages.${at}.content.0: Invalid \`signature\` in \`thinking\` block`,
    );
  });
});
