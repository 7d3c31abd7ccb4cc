// Adversarial but well-formed requests: deep nesting where the schema allows any JSON, huge or odd text, junk headers.
import { ALIASES, OPEN_FIELDS, setPath, validBody } from './bodies.ts';
import type { FuzzCase } from './cases.ts';
import { deepJson, junkHeaders, randomText } from './junk.ts';
import type { Rng } from './prng.ts';

/** Where each route takes arbitrary JSON, as `[name, JSON text of the body]` makers. */
const SLOTS = {
  chat: [
    [
      'tool parameters',
      (deep: string, prompt: string) =>
        `{"model":"chat","messages":[${prompt}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${deep}}}}]}`,
    ],
    [
      'json_schema',
      (deep: string, prompt: string) =>
        `{"model":"chat","messages":[${prompt}],"response_format":{"type":"json_schema","json_schema":{"a":${deep}}}}`,
    ],
    [
      'cache_control',
      (deep: string) =>
        `{"model":"chat","messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"a":${deep}}}]}]}`,
    ],
  ],
  messages: [
    [
      'input_schema',
      (deep: string, prompt: string) =>
        `{"model":"chat","max_tokens":64,"messages":[${prompt}],"tools":[{"name":"f","input_schema":{"type":"object","a":${deep}}}]}`,
    ],
    [
      'tool_use input',
      (deep: string) =>
        `{"model":"chat","max_tokens":64,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":${deep}}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"ok"}]}]}`,
    ],
  ],
} as const;

/**
 * `count` well-formed requests the proxy must answer (a 200, or a 4xx for a junk header such as an
 * Origin it does not allow, or the vendor's own refusal), never with a 5xx: fields, roles and blocks
 * the proxy does not know, arbitrary JSON nested up to 50,000 deep where the schema takes any JSON,
 * prompts of up to 900 KB or of any Unicode, up to 256 messages, junk headers.
 */
export function* generateAccepted(rng: Rng, count: number): Generator<FuzzCase> {
  for (let n = 0; n < count; n++) {
    const route = rng.pick(['chat', 'messages'] as const);
    const deep = rng.chance(0.5);
    const text = rng.weighted([
      [3, () => `accepted ${n}`],
      [deep ? 0 : 1, () => 'x'.repeat(rng.int(10_000, 900_000))],
      [2, () => randomText(rng, rng.int(1, 2000))],
    ] as const)();
    const prompt = JSON.stringify({ role: 'user', content: text });
    let body: string;
    let detail: string;
    if (rng.chance(0.3)) {
      // A field, role, block or kind the proxy does not know: the vendor's to judge.
      const [path, values] = rng.pick(OPEN_FIELDS[route]);
      const value = rng.pick(values);
      body = JSON.stringify(setPath(structuredClone(validBody(route, rng.int(0, 11))), path, value));
      detail = `${path} = ${JSON.stringify(value)}`;
    } else if (deep) {
      const [slot, make] = rng.pick<readonly [string, (deep: string, prompt: string) => string]>(SLOTS[route]);
      const depth = rng.int(10, 50_000);
      body = make(deepJson(rng, depth), prompt);
      detail = `${slot} nested ${depth} deep`;
    } else {
      const turns = text.length > 4000 ? 1 : rng.int(1, 128);
      const messages = Array.from({ length: turns }, (_, i) => (i % 2 === 0 ? prompt : '{"role":"assistant","content":"ok"}'));
      if (messages.length % 2 === 0) messages.push(prompt);
      body = `{"model":"${ALIASES.chat}",${route === 'messages' ? '"max_tokens":64,' : ''}"messages":[${messages.join(',')}]}`;
      detail = `${messages.length} messages of ${text.length} characters`;
    }
    if (rng.chance(0.3)) body = body.replace('{', '{"stream":true,');
    const path = route === 'chat' ? '/v1/chat/completions' : '/v1/messages';
    yield {
      n,
      kind: 'accepted',
      detail,
      method: 'POST',
      path,
      headers: { ...junkHeaders(rng), 'content-type': 'application/json' },
      body,
      keyed: false,
    };
  }
}
