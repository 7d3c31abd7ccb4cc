// Seeded generators of vendor answers and streams as the vendors send them: every block kind, extensions, unknown fields, any field order.
import type { SseEvent } from '../../../src/protocols/adapter.ts';
import type { Json } from '../../../src/protocols/json.ts';
import { int, pick, reorder, unknownFields } from './seeded.ts';

type Random = () => number;

const dress = (random: Random, value: Json): Json => reorder(random, random() < 0.3 ? { ...value, ...unknownFields(random) } : value);
const named = (random: Random, type: string, data: Json): SseEvent => ({
  event: type,
  data: JSON.stringify(dress(random, { type, ...data })),
});

/** One content block as its start and deltas. */
function block(random: Random, index: number): SseEvent[] {
  const start = (content_block: Json) => named(random, 'content_block_start', { index, content_block });
  const delta = (value: Json) => named(random, 'content_block_delta', { index, delta: value });
  const stop = named(random, 'content_block_stop', { index });
  switch (int(random, 7)) {
    case 0:
      return [
        start({ type: 'text', text: '' }),
        delta({ type: 'text_delta', text: 'Hel' }),
        delta({ type: 'text_delta', text: 'lo\n' }),
        stop,
      ];
    case 1:
      return [
        start({ type: 'text', text: '', citations: [] }),
        delta({
          type: 'citations_delta',
          citation: { type: 'web_search_result_location', url: 'https://u', cited_text: 'c', encrypted_index: 'Eo' },
        }),
        delta({ type: 'text_delta', text: 'cited' }),
        stop,
      ];
    case 2:
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        delta({ type: 'thinking_delta', thinking: pick(random, ['', 'Let me see.']) }),
        delta({ type: 'signature_delta', signature: `ErUBCkYIBxgCIkD${int(random, 1e6)}==` }),
        stop,
      ];
    case 3:
      return [start({ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/redacted==' }), stop];
    case 4:
      return [
        start({ type: 'tool_use', id: `toolu_${int(random, 1e6)}`, name: 'Write', input: {} }),
        delta({ type: 'input_json_delta', partial_json: '' }),
        delta({ type: 'input_json_delta', partial_json: '{"file_path":"/tmp/a",' }),
        delta({ type: 'input_json_delta', partial_json: '"content":"hi"}' }),
        stop,
      ];
    case 5:
      return [
        start({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }),
        delta({ type: 'input_json_delta', partial_json: '{"query":"q"}' }),
        stop,
        named(random, 'content_block_start', {
          index: index + 1,
          content_block: {
            type: 'web_search_tool_result',
            tool_use_id: 'srvtoolu_1',
            content: [{ type: 'web_search_result', url: 'https://u', encrypted_content: 'Eo8' }],
          },
        }),
        named(random, 'content_block_stop', { index: index + 1 }),
      ];
    default:
      return [start({ type: 'future_block', x: 1 }), delta({ type: 'future_delta', y: 2 }), stop];
  }
}

/** An Anthropic stream with every block kind, pings, event types added later and unknown fields. */
export function anthropicStream(random: Random): SseEvent[] {
  const usage = {
    input_tokens: 10,
    cache_creation_input_tokens: int(random, 50),
    cache_read_input_tokens: int(random, 500),
    output_tokens: 1,
  };
  const message = {
    id: `msg_${int(random, 1e9)}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-opus-5-5',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage,
  };
  const out: SseEvent[] = [named(random, 'message_start', { message: dress(random, message) })];
  let index = 0;
  for (let i = 1 + int(random, 4); i > 0; i--) {
    const events = block(random, index);
    index += events.filter((e) => e.event === 'content_block_start').length;
    out.push(...events);
    if (random() < 0.3) out.push({ event: 'ping', data: '{"type": "ping"}' });
    if (random() < 0.1) out.push(named(random, 'some_future_event', { note: 'x' }));
  }
  out.push(
    named(random, 'message_delta', {
      delta: { stop_reason: pick(random, ['end_turn', 'tool_use', 'pause_turn']), stop_sequence: null },
      usage: { output_tokens: 42 },
    }),
  );
  out.push(named(random, 'message_stop', {}));
  return out;
}

/** A Chat Completions chunk stream with vendor extensions in every place, ending in usage and [DONE]. */
export function chatStream(random: Random): SseEvent[] {
  const base = {
    id: `chatcmpl-${int(random, 1e9)}`,
    object: 'chat.completion.chunk',
    created: 1_763_913_600,
    model: 'm-1',
    system_fingerprint: 'fp_1',
  };
  const extensions = (): Json => pick(random, [{}, { obfuscation: 'Xk9' }, { provider: 'Novita' }, { usage: null }, unknownFields(random)]);
  const chunk = (delta: Json, finish: string | null = null): SseEvent => {
    const choice = dress(random, {
      index: 0,
      delta: dress(random, delta),
      logprobs: null,
      finish_reason: finish,
      ...(random() < 0.3 ? { native_finish_reason: finish } : {}),
    });
    return { event: undefined, data: JSON.stringify(reorder(random, { ...base, choices: [choice], ...extensions() })) };
  };
  const deltas: Json[] = [
    { content: 'Hel' },
    { reasoning_content: 'thinking' },
    { content: '', reasoning: 'r', reasoning_details: [{ type: 'reasoning.text', text: 'r' }] },
    { refusal: 'no' },
    { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] },
    { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] },
    { content: 'x', annotations: [{ type: 'url_citation', url_citation: { url: 'https://u' } }] },
  ];
  const out = [chunk({ role: 'assistant', content: '' })];
  for (let i = 1 + int(random, 6); i > 0; i--) out.push(chunk(pick(random, deltas)));
  out.push(chunk({}, pick(random, ['stop', 'length', 'tool_calls'])));
  const usage = { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18, prompt_tokens_details: { cached_tokens: 0 }, cost: 0.0001 };
  out.push({ event: undefined, data: JSON.stringify(reorder(random, { ...base, choices: [], usage })) });
  out.push({ event: undefined, data: '[DONE]' });
  return out;
}

/** A whole Anthropic message with every block kind, as a vendor might format it (any indentation). */
export function anthropicMessageText(random: Random): string {
  const content = [
    { type: 'redacted_thinking', data: 'EmwK' },
    { type: 'thinking', thinking: '', signature: 'ErUB' },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
    { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
    { type: 'text', text: 'See', citations: [{ type: 'char_location', cited_text: 'c' }] },
    { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { a: 1 } },
    { type: 'container_upload', file_id: 'f' },
  ].filter(() => random() < 0.6);
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude',
    content: content.map((b) => dress(random, b)),
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 4, server_tool_use: { web_search_requests: 1 } },
  };
  return JSON.stringify(dress(random, message), null, pick(random, [0, 1, 2, '\t']));
}
