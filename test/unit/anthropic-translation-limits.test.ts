// What an Anthropic request loses or cannot have on its way to another protocol: the `dropped` list and UnsupportedRequest.
import { describe, expect, it } from 'vitest';
import { UnsupportedRequest } from '../../src/protocols/model.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import { parseMessages, targetOn } from './helpers/config.ts';

const ask = [{ role: 'user', content: 'x' }];
const request = (body: Record<string, unknown>) => parseMessages({ model: 'chat', max_tokens: 256, messages: ask, ...body });
const dropped = (body: Record<string, unknown>) => request(body).toModel().dropped;
const userBlock = (block: unknown) => ({ messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, block] }] });

describe('dropped: what the translation leaves out, for the log line', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['context_management', { context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } }, ['context_management']],
    ['a container', { container: 'container_1' }, ['container']],
    ['service_tier', { service_tier: 'auto' }, ['service_tier']],
    ['a field newer than the proxy', { x_future: { a: 1 } }, ['x_future']],
    ['metadata without a user id', { metadata: {} }, ['metadata']],
    [
      'an output_config entry other than effort and format',
      { output_config: { effort: 'low', verbosity: 'high' } },
      ['output_config.verbosity'],
    ],
    ['an output format other than a JSON schema', { output_config: { format: { type: 'grammar' } } }, ['output_config.format']],
    [
      'a server tool, by position and type',
      { tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] },
      ['tools.0 (code_execution_20250825)'],
    ],
  ])('lists %s', (_name, body, expected) => {
    expect(dropped(body)).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['metadata with a user id (it becomes `user`)', { metadata: { user_id: 'u' } }],
    ['stream', { stream: true }],
    ['thinking of every type', { thinking: { type: 'adaptive', display: 'omitted' } }],
    ['output_config effort and format', { output_config: { effort: 'low', format: { type: 'json_schema', schema: {} } } }],
    ['sampling and stop sequences', { temperature: 0.5, top_p: 0.5, top_k: 5, stop_sequences: ['x'] }],
    ['null fields', { container: null, context_management: null }],
  ])('does not list %s', (_name, body) => {
    expect(dropped(body)).toEqual([]);
  });
});

describe('dropped, against docs/protocols.md', () => {
  it('names thinking, top_k and the effort, which no OpenAI-compatible body carries, on the call to the target', () => {
    const body = { thinking: { type: 'enabled', budget_tokens: 2048 }, top_k: 5, output_config: { effort: 'low' } };
    expect(targetCall(request(body), targetOn('oai'), 'k').dropped).toEqual(expect.arrayContaining(['thinking', 'top_k', 'effort']));
  });
});

describe('UnsupportedRequest: what cannot cross to another protocol', () => {
  const oai = targetOn('oai');
  const claude = targetOn('claude');

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a block of a kind the proxy does not know', userBlock({ type: 'video', source: { url: 'x' } }), /content blocks of type "video"/],
    ['a search_result block', userBlock({ type: 'search_result', source: 's', title: 't', content: [] }), /"search_result"/],
    [
      'an image from a Files API id',
      userBlock({ type: 'image', source: { type: 'file', file_id: 'file_1' } }),
      /image sources of type "file"/,
    ],
    [
      'a document from a Files API id',
      userBlock({ type: 'document', source: { type: 'file', file_id: 'file_1' } }),
      /document sources of type "file"/,
    ],
    ['a document made of content blocks', userBlock({ type: 'document', source: { type: 'content', content: [] } }), /"content"/],
    [
      'an assistant block newer than the proxy',
      { messages: [...ask, { role: 'assistant', content: [{ type: 'fancy_block' }] }] },
      /"fancy_block"/,
    ],
  ])('refuses %s for an OpenAI target, and passes it to an Anthropic target as sent', (_name, body, reason) => {
    const req = request(body);
    expect(() => targetCall(req, oai, 'k')).toThrow(UnsupportedRequest);
    expect(() => req.toModel()).toThrow(reason);
    expect(targetCall(req, claude, 'k').body).toEqual({ ...req.body, model: 'upstream-model' });
  });

  it('refuses a tool result holding a block it cannot carry instead of sending it empty', () => {
    const result = {
      type: 'tool_result',
      tool_use_id: 't',
      content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }],
    };
    const req = request({ messages: [{ role: 'user', content: [result] }] });
    expect(() => targetCall(req, oai, 'k')).toThrow(UnsupportedRequest);
  });
});
