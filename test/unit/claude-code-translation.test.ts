// Claude Code's recorded requests translated for an OpenAI-compatible target: every turn, tool and instruction arrives in Chat Completions form.
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/protocols/json.ts';
import { chatRequestSchema } from '../../src/protocols/openai-chat/schema.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import { CLAUDE_CODE_MESSAGES, type Recorded } from './helpers/claude-code.ts';
import { httpWith, parseMessages, targetOn } from './helpers/config.ts';

const oai = targetOn('oai', { model: 'gpt-4o' });
const request = (recorded: Recorded) => parseMessages(recorded.body, httpWith(recorded.headers, recorded.query));
const translated = (recorded: Recorded): Json => targetCall(request(recorded), oai, 'k').body;
const blocksOf = (recorded: Recorded, type: string): Json[] =>
  (recorded.body.messages as Json[]).flatMap((m) => (Array.isArray(m.content) ? (m.content as Json[]).filter((b) => b.type === type) : []));
const cases = CLAUDE_CODE_MESSAGES.map((r) => [r.name, r] as const);

describe('Claude Code requests -> Chat Completions', () => {
  it.each(cases)('%s becomes a chat request the proxy itself would accept', (_name, recorded) => {
    const body = translated(recorded);
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      // The openai preset takes the output limit as max_completion_tokens (its reasoning models refuse max_tokens).
      max_completion_tokens: recorded.body.max_tokens,
    });
  });

  it.each(cases)('%s keeps every instruction in one leading system message, mid-conversation ones included', (_name, recorded) => {
    const messages = translated(recorded).messages as Json[];
    const system = String(messages[0]?.content);
    expect(messages[0]?.role).toBe('system');
    expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
    for (const block of recorded.body.system as Json[]) expect(system).toContain(String(block.text));
    for (const turn of (recorded.body.messages as Json[]).filter((m) => m.role === 'system')) {
      const text = typeof turn.content === 'string' ? turn.content : (turn.content as Json[]).map((b) => b.text).join('\n\n');
      expect(system).toContain(text);
    }
  });

  it.each(cases)('%s answers every tool call with its tool message, right after the call', (_name, recorded) => {
    const messages = translated(recorded).messages as Json[];
    const uses = blocksOf(recorded, 'tool_use');
    for (const use of uses) {
      const at = messages.findIndex((m) => Array.isArray(m.tool_calls) && (m.tool_calls as Json[]).some((c) => c.id === use.id));
      expect(at).toBeGreaterThan(0);
      expect(messages[at + 1]).toMatchObject({ role: 'tool', tool_call_id: use.id });
      const call = ((messages[at]?.tool_calls ?? []) as Json[]).find((c) => c.id === use.id);
      expect(JSON.parse(String(((call?.function ?? {}) as Json).arguments))).toEqual(use.input);
    }
    expect(messages.filter((m) => m.role === 'tool')).toHaveLength(uses.length);
  });

  it.each(cases)('%s offers the same tools by name, as functions', (_name, recorded) => {
    const tools = translated(recorded).tools as Json[];
    expect(tools.map((t) => (t.function as Json).name)).toEqual((recorded.body.tools as Json[]).map((t) => t.name));
  });

  it.each(cases)('%s carries no thinking signature or redacted thinking, which only Anthropic can read', (_name, recorded) => {
    const text = JSON.stringify(translated(recorded));
    for (const block of blocksOf(recorded, 'thinking')) expect(text).not.toContain(String(block.signature));
    for (const block of blocksOf(recorded, 'redacted_thinking')) expect(text).not.toContain(String(block.data));
  });

  it.each(cases)('%s names the device in `user`, from metadata.user_id', (_name, recorded) => {
    expect(translated(recorded).user).toBe((recorded.body.metadata as Json).user_id);
  });

  it.each(cases)('%s lists only context_management as dropped, when it was sent', (_name, recorded) => {
    expect(request(recorded).toModel().dropped).toEqual('context_management' in recorded.body ? ['context_management'] : []);
  });

  it('carries the effort Claude Code asks for, and the thinking budget on models without adaptive thinking', () => {
    const [adaptive, , budget] = CLAUDE_CODE_MESSAGES;
    expect(adaptive && request(adaptive).toModel().reasoning).toEqual({ effort: 'medium' });
    expect(budget && request(budget).toModel().reasoning).toEqual({ budgetTokens: 4000 });
  });
});
