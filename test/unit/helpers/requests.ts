// Seeded generators of well-formed caller requests as agents and SDKs send them: every kind of block, unknown fields, any field order.
import type { Json } from '../../../src/protocols/json.ts';
import { int, pick, reorder, unknownFields } from './seeded.ts';

type Random = () => number;

/** Sometimes adds unknown fields and a cache mark, then shuffles the keys: what a newer client might send. */
function dress(random: Random, value: Json, cacheable = true): Json {
  const out: Json = { ...value };
  if (random() < 0.3) Object.assign(out, unknownFields(random));
  if (cacheable && random() < 0.3) out.cache_control = pick(random, [{ type: 'ephemeral' }, { type: 'ephemeral', ttl: '1h' }]);
  return reorder(random, out);
}

const USER_BLOCKS: ((random: Random) => Json)[] = [
  (r) => ({ type: 'text', text: pick(r, ['Hi', 'Write hello.txt', '', '<system-reminder>ctx</system-reminder>']) }),
  () => ({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }),
  () => ({ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }),
  () => ({ type: 'image', source: { type: 'file', file_id: 'file_011' } }),
  () => ({
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
    title: 'r',
    citations: { enabled: true },
  }),
  () => ({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, context: 'c' }),
  (r) => ({ type: 'tool_result', tool_use_id: `toolu_${int(r, 99)}`, content: pick(r, ['ok', [{ type: 'text', text: 'ok' }], []]) }),
  () => ({ type: 'tool_result', tool_use_id: 'toolu_e', content: 'failed', is_error: true }),
  () => ({ type: 'search_result', source: 'https://s', title: 't', content: [{ type: 'text', text: 'x' }] }),
  () => ({ type: 'container_upload', file_id: 'file_1' }),
];

const ASSISTANT_BLOCKS: ((random: Random) => Json)[] = [
  (r) => ({ type: 'text', text: pick(r, ['Sure.', 'Done', ' ']) }),
  () => ({
    type: 'text',
    text: 'cited',
    citations: [{ type: 'char_location', cited_text: 'c', document_index: 0, start_char_index: 0, end_char_index: 1 }],
  }),
  (r) => ({ type: 'thinking', thinking: pick(r, ['', 'Let me think.']), signature: `Er${int(r, 1e6)}sig==` }),
  () => ({ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/redacted==' }),
  (r) => ({ type: 'tool_use', id: `toolu_${int(r, 99)}`, name: 'Write', input: { file_path: '/tmp/hello.txt', content: 'hi' } }),
  () => ({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } }),
  () => ({
    type: 'web_search_tool_result',
    tool_use_id: 'srvtoolu_1',
    content: [{ type: 'web_search_result', url: 'https://u', title: 't', encrypted_content: 'Eo8' }],
  }),
  () => ({
    type: 'code_execution_tool_result',
    tool_use_id: 'srvtoolu_2',
    content: { type: 'code_execution_result', stdout: '1', stderr: '', return_code: 0 },
  }),
  () => ({ type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'echo', server_name: 's', input: {} }),
  () => ({ type: 'future_block_kind', payload: { a: 1 } }),
];

function blocks(random: Random, kinds: ((random: Random) => Json)[]): Json[] {
  return Array.from({ length: 1 + int(random, 4) }, () => dress(random, pick(random, kinds)(random)));
}

/** A Messages request an agent could send: every block kind, mid-conversation system turns, server tools, unknown fields. */
export function messagesBody(random: Random): Json {
  const messages: Json[] = [];
  const turns = 1 + int(random, 5);
  for (let i = 0; i < turns; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    const content = random() < 0.25 ? pick(random, ['Hello', 'Go on']) : blocks(random, role === 'user' ? USER_BLOCKS : ASSISTANT_BLOCKS);
    messages.push(dress(random, { role, content }, false));
    if (random() < 0.2)
      messages.push({
        role: 'system',
        content: pick(random, ['Env: linux', [{ type: 'text', text: 'Env', cache_control: { type: 'ephemeral' } }]]),
      });
  }
  const body: Json = { model: pick(random, ['claude-opus-5-5', 'chat']), max_tokens: pick(random, [1024, 32000, 128000]), messages };
  const optional: [string, () => unknown][] = [
    ['system', () => pick(random, ['Be brief.', [dress(random, { type: 'text', text: 'You are Claude Code.' })]])],
    [
      'tools',
      () => [
        dress(random, { name: 'Write', description: 'w', input_schema: { type: 'object', properties: {} } }),
        { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
        { name: 'Deferred', input_schema: { type: 'object' }, defer_loading: true },
      ],
    ],
    [
      'tool_choice',
      () =>
        pick(random, [
          { type: 'auto' },
          { type: 'any', disable_parallel_tool_use: true },
          { type: 'tool', name: 'Write' },
          { type: 'none' },
          { type: 'future_choice' },
        ]),
    ],
    [
      'thinking',
      () =>
        pick(random, [
          { type: 'adaptive', display: 'omitted' },
          { type: 'enabled', budget_tokens: 4000, display: 'omitted' },
          { type: 'disabled' },
          { type: 'future' },
        ]),
    ],
    [
      'output_config',
      () =>
        pick(random, [{ effort: 'medium' }, { format: { type: 'json_schema', schema: { type: 'object' } } }, { effort: 'max', other: 1 }]),
    ],
    ['context_management', () => ({ edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] })],
    ['metadata', () => ({ user_id: '{"device_id":"d","session_id":"s"}' })],
    ['stream', () => random() < 0.7],
    ['temperature', () => pick(random, [0, 0.5, 1])],
    ['top_k', () => 40],
    ['stop_sequences', () => ['END']],
    ['container', () => 'container_1'],
    ['mcp_servers', () => [{ type: 'url', url: 'https://mcp.example', name: 's' }]],
    ['service_tier', () => 'auto'],
  ];
  for (const [name, value] of optional) if (random() < 0.5) body[name] = value();
  if (random() < 0.4) Object.assign(body, unknownFields(random));
  return reorder(random, body);
}

const CHAT_MESSAGES: ((random: Random) => Json)[] = [
  (r) => ({ role: 'system', content: pick(r, ['Be brief.', [{ type: 'text', text: 'Policy', cache_control: { type: 'ephemeral' } }]]) }),
  () => ({ role: 'developer', content: 'Answer in French.' }),
  (r) => ({
    role: 'user',
    content: pick(r, [
      'Hi',
      [
        { type: 'text', text: 'Look' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO', detail: 'high' } },
      ],
    ]),
  }),
  () => ({
    role: 'user',
    content: [
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      { type: 'file', file: { file_id: 'file-1' } },
    ],
  }),
  () => ({ role: 'user', content: [{ type: 'input_video', video_url: 'x' }], name: 'alice' }),
  (r) => ({
    role: 'assistant',
    content: pick(r, ['Sure', null, [{ type: 'refusal', refusal: 'No' }]]),
    reasoning_content: 'hmm',
    refusal: null,
  }),
  () => ({
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
  }),
  () => ({ role: 'assistant', content: 'prefix', prefix: true }),
  () => ({ role: 'tool', tool_call_id: 'call_1', content: '42' }),
  () => ({ role: 'critic', content: 'a role newer than the proxy' }),
];

/** A Chat Completions request with vendor extensions (DeepSeek, Qwen, OpenRouter, vLLM ...), unknown roles and parts, any field order. */
export function chatBody(random: Random): Json {
  const messages = Array.from({ length: 1 + int(random, 5) }, () => dress(random, pick(random, CHAT_MESSAGES)(random), false));
  const body: Json = { model: pick(random, ['chat', 'gpt-4o']), messages };
  const optional: [string, () => unknown][] = [
    ['stream', () => random() < 0.7],
    [
      'stream_options',
      () => pick(random, [{ include_usage: true }, { include_usage: false }, { include_usage: true, continuous_usage_stats: true }]),
    ],
    ['max_tokens', () => 300],
    ['max_completion_tokens', () => 200],
    ['temperature', () => pick(random, [0, 1.3, 2])],
    ['n', () => pick(random, [1, 3])],
    ['logprobs', () => true],
    ['top_logprobs', () => 2],
    [
      'response_format',
      () =>
        pick(random, [
          { type: 'json_object' },
          { type: 'json_schema', json_schema: { name: 'x', schema: {}, strict: true } },
          { type: 'grammar', grammar: 'g' },
        ]),
    ],
    [
      'tools',
      () => [
        { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } },
        { type: 'custom', custom: { name: 'g' } },
      ],
    ],
    [
      'tool_choice',
      () => pick(random, ['auto', 'required', { type: 'function', function: { name: 'f' } }, { type: 'allowed_tools', mode: 'auto' }]),
    ],
    ['reasoning_effort', () => 'high'],
    ['seed', () => 7],
    ['user', () => 'u-1'],
    ['metadata', () => ({ k: 'v' })],
    ['enable_thinking', () => true],
    ['chat_template_kwargs', () => ({ thinking: true })],
    ['top_k', () => 20],
    ['repetition_penalty', () => 1.1],
    ['provider', () => ({ order: ['Novita'], allow_fallbacks: false })],
    ['reasoning', () => ({ effort: 'low', exclude: false })],
    ['web_search_options', () => ({ search_context_size: 'low' })],
    ['prediction', () => ({ type: 'content', content: 'x' })],
  ];
  for (const [name, value] of optional) if (random() < 0.4) body[name] = value();
  if (random() < 0.4) Object.assign(body, unknownFields(random));
  return reorder(random, body);
}
