// The fuzz generator: seeded malformed or adversarial requests, each one the proxy must refuse with a 4xx before any upstream work.
import { BODY_ROUTES, type BodyRoute, INVALID_FIELDS, type Json, type JsonObject, setPath, validBody } from './bodies.ts';
import { deepJson, INVALID_UTF8, JSON_BREAKS, junkHeaders, NOT_OBJECTS, randomText, spliceBytes } from './junk.ts';
import type { Rng } from './prng.ts';

export type Protocol = 'openai' | 'anthropic';

export interface FuzzCase {
  /** Position in the run; with the seed, enough to reproduce it. */
  n: number;
  kind: string;
  /** What was done to the request, for a failure message. */
  detail: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Run against the config that requires client keys (`auth.mode = "keys"`). */
  keyed: boolean;
}

/** The client key of the keyed config (its SHA-256 is in the config) and the admin token. */
export const FUZZ_CLIENT_KEY = 'sk-fuzz-client-3c1d9e0b7a';
export const FUZZ_ADMIN_TOKEN = 'fuzz-admin-token-51f0c2';

/** The error shape a path answers in: Anthropic's below `/v1/messages`, OpenAI's everywhere else. */
export const protocolOf = (path: string): Protocol => (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');

const ROUTES = Object.keys(BODY_ROUTES) as BodyRoute[];
const GET_ROUTES = ['/v1/models', '/healthz', '/status', '/status.json', '/admin/breakers'];
const UNKNOWN_ROUTES = [
  '/v1/completions',
  '/v1/messages/batches',
  '/v1/chat/completions/',
  '/v1//chat/completions',
  '/v1/chat/completions/x',
  '/v1/embeddings/',
  '/v2/chat/completions',
  '/v1/%ZZ',
  '/v1/..%2f..%2fetc%2fpasswd',
  '/%00',
  `/v1/${'a'.repeat(4000)}`,
  '/admin',
  '/',
];

const json = (body: Json): string => JSON.stringify(body);
const clone = (body: JsonObject): JsonObject => structuredClone(body);

/** A valid body with valid optional extras, before a mutation makes it invalid. */
function baseBody(rng: Rng, route: BodyRoute): JsonObject {
  const body = clone(validBody(route, rng.int(0, 11)));
  if (route !== 'embeddings' && rng.chance(0.3)) body.stream = rng.chance(0.5);
  if (route === 'chat' && rng.chance(0.2)) body.user = 'fuzz';
  if (route === 'embeddings' && rng.chance(0.2)) body.encoding_format = 'float';
  return body;
}

type Made = { detail: string; body?: string | Uint8Array; headers?: Record<string, string>; method?: string; path?: string };
type Maker = (rng: Rng, route: BodyRoute) => Made;

const REQUIRED: Record<BodyRoute, readonly string[]> = {
  chat: ['model', 'messages'],
  messages: ['model', 'messages', 'max_tokens'],
  embeddings: ['model', 'input'],
};

/** Each kind of malformed request, by weight; every one is invalid by construction. */
const MAKERS: readonly (readonly [number, string, Maker])[] = [
  [
    14,
    'bad JSON',
    (rng, route) => {
      const [name, breakIt] = rng.pick(JSON_BREAKS);
      return { detail: name, body: breakIt(json(baseBody(rng, route)), rng) };
    },
  ],
  [
    5,
    'not an object',
    (rng) => {
      const body = rng.pick(NOT_OBJECTS);
      return { detail: body, body };
    },
  ],
  [
    30,
    'wrong type',
    (rng, route) => {
      const [path, values] = rng.pick(INVALID_FIELDS[route]);
      const value = rng.pick(values);
      return { detail: `${path} = ${JSON.stringify(value)}`, body: json(setPath(baseBody(rng, route), path, value)) };
    },
  ],
  [
    5,
    'missing field',
    (rng, route) => {
      const body = baseBody(rng, route);
      const field = rng.pick(REQUIRED[route]);
      delete body[field];
      return { detail: `no ${field}`, body: json(body) };
    },
  ],
  [
    4,
    'unknown model alias',
    (rng, route) => {
      const model = rng.pick(['gpt-4o', 'chat ', 'CHAT', '../chat', '😀', 'x'.repeat(rng.int(100, 100_000)), `z${randomText(rng, 20)}`]);
      return {
        detail: `model ${JSON.stringify(model.slice(0, 20))} (${model.length} chars)`,
        body: json({ ...baseBody(rng, route), model }),
      };
    },
  ],
  [5, 'huge', (rng, route) => hugeBody(rng, route)],
  [
    5,
    'deep nesting',
    (rng, route) => {
      const depth = rng.int(100, 60_000);
      const text = json(baseBody(rng, route));
      // Appended last: JSON.parse keeps the last of duplicate keys, so the nested value is the one validated.
      const [slot, close] = rng.pick([
        ['"model":', ''],
        route === 'embeddings' ? ['"input":', ''] : ['"messages":[{"role":"user","content":', '}]'],
      ] as const);
      return { detail: `${slot} nested ${depth} deep`, body: `${text.slice(0, -1)},${slot}${deepJson(rng, depth)}${close}}` };
    },
  ],
  [
    6,
    'invalid UTF-8',
    (rng, route) => {
      const bad = rng.pick(INVALID_UTF8);
      const where = rng.pick(['between tokens', 'in a string'] as const);
      const detail = `bytes ${bad.map((b) => b.toString(16)).join(' ')} ${where}`;
      if (where === 'between tokens') {
        const text = json(baseBody(rng, route));
        return { detail, body: spliceBytes(text, text.indexOf(':') + 1, bad) };
      }
      // In a string of a valid field: decoded leniently the body would be valid, so the bytes alone must get it refused.
      const body =
        route === 'messages' ? { ...baseBody(rng, route), metadata: { user_id: 'fuzz-id' } } : { ...baseBody(rng, route), user: 'fuzz-id' };
      const text = json(body);
      return { detail, body: spliceBytes(text, text.indexOf('fuzz-id') + 4, bad) };
    },
  ],
  [
    5,
    'wrong content type',
    (rng, route) => {
      const type = rng.pick([
        '',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/xml',
        'application/jsonx',
        'json',
        'application/ json',
        'text/json',
      ]);
      return { detail: `content-type "${type}"`, body: json(baseBody(rng, route)), headers: { 'content-type': type } };
    },
  ],
  [
    3,
    'oversized',
    (rng, route) => {
      const pad = ' '.repeat(1024 * 1024 + rng.int(1, 200_000));
      return { detail: `${pad.length} bytes of padding`, body: `{${pad}${json(baseBody(rng, route)).slice(1)}` };
    },
  ],
  [
    6,
    'bad method',
    (rng, route) => {
      if (rng.chance(0.5)) {
        const method = rng.pick(['GET', 'PUT', 'PATCH', 'DELETE']);
        return { detail: `${method} on a POST route`, method, body: method === 'GET' ? undefined : json(baseBody(rng, route)) };
      }
      const method = rng.pick(['POST', 'PUT', 'PATCH', 'DELETE']);
      const path = rng.pick(GET_ROUTES);
      return { detail: `${method} ${path}`, method, path, body: rng.chance(0.5) ? json(baseBody(rng, route)) : randomText(rng, 100) };
    },
  ],
  [
    3,
    'unknown route',
    (rng, route) => {
      const path = rng.pick(UNKNOWN_ROUTES);
      return { detail: path.slice(0, 60), path, body: json(baseBody(rng, route)) };
    },
  ],
  [
    3,
    'admin body',
    (rng) => {
      const bodies = ['{"action":"explode"}', '{}', '{"action":1}', '{"action":"open","extra":1}', '{"action":', '[]', ''];
      if (rng.chance(0.3)) {
        const provider = rng.pick(['nope', '%00', 'p1%2fx', 'x'.repeat(500)]);
        return {
          detail: `provider ${provider.slice(0, 20)}`,
          path: `/admin/breakers/${provider}`,
          body: '{"action":"open"}',
          headers: admin(),
        };
      }
      const body = rng.pick(bodies);
      return { detail: `admin body ${body}`, path: '/admin/breakers/p1', body, headers: admin() };
    },
  ],
];

const admin = (): Record<string, string> => ({ authorization: `Bearer ${FUZZ_ADMIN_TOKEN}`, 'content-type': 'application/json' });

/** Bodies refused for their size: over the byte limit, too many messages or inputs, or a huge value where it is wrong anyway. */
function hugeBody(rng: Rng, route: BodyRoute): Made {
  const body = baseBody(rng, route);
  const choice = rng.int(0, 3);
  if (choice === 0 && route !== 'embeddings') {
    body.messages = Array.from({ length: rng.int(257, 2000) }, () => ({ role: 'user', content: 'hi' }));
    return { detail: `${(body.messages as Json[]).length} messages`, body: json(body) };
  }
  if (choice === 0) {
    body.input = Array.from({ length: rng.int(2049, 5000) }, () => 'hi');
    return { detail: `${(body.input as Json[]).length} inputs`, body: json(body) };
  }
  if (choice === 1) {
    const size = rng.int(1024 * 1024 + 1, 3 * 1024 * 1024);
    return {
      detail: `a ${size}-character string`,
      body: json(setPath(body, route === 'embeddings' ? 'input' : 'messages.0.content', 'x'.repeat(size))),
    };
  }
  const size = rng.int(10_000, 900_000);
  const field = route === 'embeddings' ? 'dimensions' : 'stream';
  return { detail: `${field} a string of ${size} characters`, body: json({ ...body, [field]: 'y'.repeat(size) }) };
}

/**
 * `count` malformed requests from `rng`, made one at a time (some bodies are megabytes). Every one
 * carries a few junk headers on top; a fifth run against the keyed config with a valid client key
 * (so the body is what gets refused), and one in twenty with a wrong one (a 401 whatever the body).
 */
export function* generateCases(rng: Rng, count: number): Generator<FuzzCase> {
  const table = MAKERS.map(([weight, kind, make]) => [weight, [kind, make] as const] as const);
  for (let n = 0; n < count; n++) {
    const route = rng.pick(ROUTES);
    const [kind, make] = rng.weighted(table);
    const made = make(rng, route);
    const path = made.path ?? BODY_ROUTES[route].path;
    const headers: Record<string, string> = { ...junkHeaders(rng), 'content-type': 'application/json', ...made.headers };
    let keyed = false;
    let detail = made.detail;
    if (!path.startsWith('/admin') && rng.chance(0.25)) {
      keyed = true;
      if (rng.chance(0.2)) {
        detail += '; a wrong client key';
        headers.authorization = `Bearer ${rng.pick(['sk-wrong', '', FUZZ_CLIENT_KEY.toUpperCase(), `${FUZZ_CLIENT_KEY} `])}`.trim();
      } else if (rng.chance(0.5)) headers.authorization = `Bearer ${FUZZ_CLIENT_KEY}`;
      else headers['x-api-key'] = FUZZ_CLIENT_KEY;
    }
    if (headers['content-type'] === '') delete headers['content-type'];
    yield { n, kind, detail, method: made.method ?? 'POST', path, headers, body: made.body, keyed };
  }
}
