// The fuzz suite's raw material: a valid body per POST route and, per field, values its schema must refuse or leave to the vendor.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The POST routes whose bodies are fuzzed, and the error shape each answers in. */
export const BODY_ROUTES = {
  chat: { path: '/v1/chat/completions', protocol: 'openai' },
  messages: { path: '/v1/messages', protocol: 'anthropic' },
  embeddings: { path: '/v1/embeddings', protocol: 'openai' },
} as const;
export type BodyRoute = keyof typeof BODY_ROUTES;

/** The model aliases of the fuzz config. */
export const ALIASES = { chat: 'chat', embeddings: 'embed' } as const;

/** A valid body for the route, from a small pool of shapes (strings, parts, tools, options). */
export function validBody(route: BodyRoute, variant: number): JsonObject {
  const text = ['Say hello', 'Erzähl mir was 😀', '价格是多少？', ''][variant % 4] ?? 'hi';
  if (route === 'chat') {
    const bodies: JsonObject[] = [
      { model: ALIASES.chat, messages: [{ role: 'user', content: text }] },
      {
        model: ALIASES.chat,
        stream: true,
        messages: [
          { role: 'user', content: [{ type: 'text', text }] },
          { role: 'system', content: 'Be brief.' },
        ],
      },
      {
        model: ALIASES.chat,
        temperature: 0.2,
        max_tokens: 64,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
        messages: [{ role: 'user', content: text }],
      },
    ];
    return bodies[variant % bodies.length] as JsonObject;
  }
  if (route === 'messages') {
    const bodies: JsonObject[] = [
      { model: ALIASES.chat, max_tokens: 64, messages: [{ role: 'user', content: text || 'hi' }] },
      {
        model: ALIASES.chat,
        max_tokens: 64,
        stream: true,
        system: 'Be brief.',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      },
      {
        model: ALIASES.chat,
        max_tokens: 64,
        tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'hi' }],
      },
    ];
    return bodies[variant % bodies.length] as JsonObject;
  }
  const inputs: Json[] = [text, ['a', 'b'], [1, 2, 3], [[1], [2]]];
  return { model: ALIASES.embeddings, input: inputs[variant % inputs.length] as Json };
}

/** Values of any type, for "wrong type" mutations (each entry is refused where the table says so). */
const ANY = { num: 42, neg: -1, frac: 1.5, str: 'x', empty: '', arr: [] as Json[], obj: {} as JsonObject, nul: null, yes: true };

/**
 * Per route, `[path, values]`: setting the field at `path` (dot-separated; numbers index arrays)
 * to any of the values makes the whole body invalid for that route's schema or limits.
 */
export const INVALID_FIELDS: Record<BodyRoute, readonly (readonly [string, readonly Json[]])[]> = {
  chat: [
    ['model', [ANY.num, ANY.empty, ANY.arr, ANY.obj, ANY.nul, ANY.yes]],
    ['messages', [ANY.str, ANY.arr, ANY.obj, ANY.nul, ANY.num, [null], [[]], [ANY.str]]],
    ['messages.0.role', [ANY.num, ANY.nul]],
    ['messages.0.content', [ANY.num, ANY.obj, ANY.yes, [ANY.num], [null], [{ type: 'text' }], [{ type: 'text', text: 5 }]]],
    ['messages.0.content', [[{ type: 'image_url' }], [{ type: 'image_url', image_url: { url: '' } }]]],
    [
      'messages.0.content',
      [[{ type: 'input_audio', input_audio: { data: 5 } }], [{ type: 'file', file: { file_data: 1 } }], [{ text: 'no type' }]],
    ],
    ['messages.0.name', [ANY.num, ANY.obj]],
    [
      'messages.1',
      [{ role: 'tool', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 1 }] }, { role: 'function', content: 'x' }, {}],
    ],
    ['stream', [ANY.str, ANY.num, ANY.obj, ANY.arr]],
    ['stream_options', [ANY.str, { include_usage: 'yes' }]],
    ['max_tokens', [ANY.neg, 0, ANY.frac, '100', 1e12, ANY.obj]],
    ['max_completion_tokens', [ANY.neg, 0, ANY.frac, 'lots', 1e12]],
    ['temperature', [3, ANY.neg, '0.5', ANY.arr]],
    ['top_p', [2, ANY.neg, ANY.str]],
    ['n', [0, 129, ANY.frac, ANY.str]],
    ['stop', [ANY.num, [ANY.num], ANY.obj]],
    ['presence_penalty', [3, -3, ANY.str]],
    ['metadata', [ANY.str]],
    ['seed', [ANY.frac, ANY.str]],
    ['tools', [ANY.str, [{ type: 'function' }], [{ type: 'function', function: { name: 'bad name!' } }], [ANY.nul]]],
    ['tool_choice', ['sometimes', { type: 'function' }, ANY.num]],
    ['response_format', ['json', { type: 'json_schema' }]],
    ['reasoning_effort', [ANY.num]],
    ['modalities', [ANY.str]],
  ],
  messages: [
    ['model', [ANY.num, ANY.empty, ANY.nul, ANY.arr]],
    ['max_tokens', [ANY.neg, 0, ANY.frac, '64', ANY.nul, 1e12]],
    ['messages', [ANY.str, ANY.arr, ANY.obj, ANY.nul, [null]]],
    ['messages.0.role', ['tool', ANY.num, ANY.nul]],
    ['messages.0.content', [ANY.num, ANY.nul, [ANY.str], [{ type: 'text' }], [{ type: 'text', text: [] }]]],
    ['messages.0.content', [[{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } }], [{ type: 'image' }]]],
    ['messages.0.content', [[{ type: 'tool_use', id: 'a' }], [{ type: 'tool_result' }], [{ type: 'thinking' }]]],
    ['system', [ANY.num, ANY.obj]],
    ['metadata', [{ user_id: 5 }, ANY.str]],
    ['stop_sequences', [ANY.str, [ANY.num]]],
    ['stream', [ANY.str, ANY.nul]],
    ['temperature', [1.5, ANY.neg, ANY.str]],
    ['top_k', [ANY.neg, ANY.frac]],
    ['tools', [[{ name: 'x' }], [{ name: 'x', input_schema: { type: 'string' } }], ANY.obj]],
    ['tool_choice', [{ type: 'tool' }, 'auto']],
    ['thinking', [{ type: 'enabled', budget_tokens: 100 }, ANY.yes]],
  ],
  embeddings: [
    ['model', [ANY.num, ANY.empty, ANY.nul]],
    ['input', [ANY.num, ANY.arr, [ANY.frac], [[]], [null], ANY.obj, ANY.yes, ANY.nul, [ANY.str, ANY.num]]],
    ['encoding_format', [ANY.num]],
    ['dimensions', [0, ANY.neg, ANY.frac, ANY.str]],
    ['user', [ANY.num]],
  ],
};

/**
 * Per route, `[path, values]` the proxy does not know or does not read, and so leaves to the vendor
 * (SPEC "Same protocol is lossless"): unknown fields, roles, blocks and tool kinds, extra keys, values
 * of fields the proxy never reads. A body with one of them reaches the vendor; it must never make a 5xx.
 */
export const OPEN_FIELDS: Record<'chat' | 'messages', readonly (readonly [string, readonly Json[]])[]> = {
  chat: [
    ['messages.0.role', ['robot', ANY.empty, 'USER']],
    ['messages.0.content', [[{ type: 'video', video: 'x' }], [{ type: 'image_url', image_url: { url: 'x', detail: 'ultra' } }]]],
    ['messages.0.extra', [ANY.str, ANY.nul]],
    ['stream_options', [{ other: true }]],
    ['n', [17]],
    ['stop', [['a', 'b', 'c', 'd', 'e']]],
    ['logit_bias', [{ '1': 'a' }, ANY.str, ANY.arr]],
    ['metadata', [{ a: 1 }]],
    ['tools', [[{ type: 'retrieval' }]]],
    ['response_format', [{ type: 'xml' }]],
    ['reasoning_effort', ['max']],
    ['modalities', [['video']]],
    ['unknown_field', [ANY.num, ANY.str, ANY.nul, ANY.obj]],
  ],
  messages: [
    ['messages.0.role', ['system']],
    ['messages.0.content', [[{ type: 'video' }], [{ type: 'server_tool_use', id: 'a', name: 'web', input: {} }]]],
    [
      'messages.0.content',
      [
        [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AA' } }],
        [{ type: 'image', source: { type: 'url', url: 'ftp://x' } }],
        [{ type: 'document', source: { type: 'base64', media_type: 'text/html', data: 'x' } }],
      ],
    ],
    ['messages.0.extra', [ANY.num]],
    ['system', [[{ type: 'image' }]]],
    ['metadata', [{ other: 'x' }]],
    ['tools', [[{ type: 'web_search_20250305', name: 'web_search' }]]],
    ['tool_choice', [{ type: 'auto', extra: 1 }]],
    ['thinking', [{ type: 'maybe' }]],
    ['service_tier', ['priority', ANY.num]],
    ['unknown_field', [ANY.num, ANY.str, ANY.obj]],
  ],
};

/** Sets `path` in `body` (creating arrays and objects on the way). Mutates and returns `body`. */
export function setPath(body: JsonObject, path: string, value: Json): JsonObject {
  const keys = path.split('.');
  let at: Json = body;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    const container = at as Record<string, Json>;
    if (last) {
      container[key] = value;
      break;
    }
    const nextIsIndex = /^\d+$/.test(keys[i + 1] ?? '');
    if (typeof container[key] !== 'object' || container[key] === null) container[key] = nextIsIndex ? [] : {};
    at = container[key] as Json;
  }
  return body;
}
