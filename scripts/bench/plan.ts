// The bench's plan: the targets, what each sends and must get back, and the phases (mode, concurrency) each is measured in.
import { CLIENT_KEYS, IP_POOL, MOCK_SCENARIO, WEIGHTED_ALIAS } from './config.ts';
import type { RequestSpec } from './load.ts';
import type { WorkerHost } from './processes.ts';
import type { Target, TargetId } from './rows.ts';
import type { Instance } from './workers.ts';

/** Concurrencies of every phase. */
export const CONCURRENCY = [1, 16, 64] as const;

/**
 * Targets that serve only a layer's cost (layers.ts) are measured at these concurrencies only, and
 * non-streaming only unless listed in STREAMED_LAYERS: fewer phases keep the run short. The headline
 * targets (a), (b), (c) and (e) run in every phase.
 */
export const LAYER_CONCURRENCY: readonly number[] = [1, 16];
const LAYER_TARGETS: readonly TargetId[] = ['f', 'g', 'h', 'i', 'j', 'k', 'l'];
/** The cache's miss also assembles a streamed answer to store it, so (l) is measured streaming too. */
const STREAMED_LAYERS: readonly TargetId[] = ['l'];

/** Whether `target` is measured in the phase of one mode and concurrency. */
export function measuredIn(target: Target, stream: boolean, c: number): boolean {
  if (!LAYER_TARGETS.includes(target.id)) return true;
  return LAYER_CONCURRENCY.includes(c) && (!stream || STREAMED_LAYERS.includes(target.id));
}

/** The targets on workerd (Miniflare instances of `host`) and (a) straight to the mock. */
export function benchTargets(mockOrigin: string, host: WorkerHost, workerd: string, node: string): Target[] {
  const on = (id: TargetId, label: string, instance: Instance): Target => ({
    id,
    label,
    runtime: workerd,
    origin: host.urls[instance],
    instance,
  });
  return [
    { id: 'a', label: '(a) mock vendor, direct', runtime: `${node} (mock, no Worker)`, origin: mockOrigin },
    on('b', '(b) minimal forwarder', 'forwarder'),
    on('c', '(c) proxy', 'proxy'),
    on('e', '(e) proxy, cache hit', 'proxyCached'),
    on('f', '(f) proxy, breakers off', 'proxyNoBreakers'),
    on('g', '(g) proxy, balance weighted', 'proxy'),
    on('h', '(h) proxy, key, no limits', 'proxyKeys'),
    on('i', '(i) proxy, key with budget', 'proxyKeys'),
    on('j', '(j) proxy, key with rpm', 'proxyKeys'),
    on('k', '(k) proxy, IP limit on', 'proxyIpLimit'),
    on('l', '(l) proxy, cache on, miss', 'proxyCacheMiss'),
  ];
}

/** Headers every answer of a target must carry: the proxy rows come from the provider, (e) from the cache, (l) past it. */
const EXPECT: Partial<Record<TargetId, Record<string, string>>> = {
  c: { 'x-proxy-source': 'provider' },
  d: { 'x-proxy-source': 'provider' },
  e: { 'x-proxy-cache': 'HIT', 'x-proxy-source': 'cache' },
  f: { 'x-proxy-source': 'provider' },
  g: { 'x-proxy-source': 'provider' },
  h: { 'x-proxy-source': 'provider' },
  i: { 'x-proxy-source': 'provider' },
  j: { 'x-proxy-source': 'provider' },
  k: { 'x-proxy-source': 'provider' },
  l: { 'x-proxy-cache': 'MISS', 'x-proxy-source': 'provider' },
};

/** What a target's requests name when not alias `bench` and bearer `bench` (ignored by `auth.mode = "none"`). */
const ASK: Partial<Record<TargetId, { model?: string; key?: string }>> = {
  g: { model: WEIGHTED_ALIAS },
  h: { key: CLIENT_KEYS.free },
  i: { key: CLIENT_KEYS.budget },
  j: { key: CLIENT_KEYS.rpm },
};

/** The user message: the same length for every target; (l) numbers its requests so that none is ever a cache hit. */
const content = (n: number): string => `Say hello. (request ${String(n).padStart(8, '0')})`;

let sequence = 0;
let address = 0;

function chatBody(model: string, stream: boolean, n: number): string {
  return JSON.stringify({ model, messages: [{ role: 'user', content: content(n) }], stream });
}

/** What (l) and (k) change per request: a body never seen before (run-wide counter); the next of IP_POOL caller addresses. */
const VARY: Partial<Record<TargetId, (model: string, stream: boolean) => RequestSpec['vary']>> = {
  l: (model, stream) => () => ({ body: chatBody(model, stream, ++sequence) }),
  k: () => () => {
    address = (address + 1) % IP_POOL;
    return { headers: { 'cf-connecting-ip': `10.0.${address >> 8}.${address & 255}` } };
  },
};

/** The request `target` is measured with: one user message to the alias, through the mock's scenario when direct. */
export function spec(target: Target, stream: boolean): RequestSpec {
  const { model = 'bench', key = 'bench' } = ASK[target.id] ?? {};
  const out: RequestSpec = {
    origin: target.origin,
    path: target.id === 'a' ? `/${MOCK_SCENARIO}/v1/chat/completions` : '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: chatBody(model, stream, 0),
    stream,
  };
  const expect = EXPECT[target.id];
  if (expect !== undefined) out.expect = expect;
  const vary = VARY[target.id]?.(model, stream);
  if (vary !== undefined) out.vary = vary;
  return out;
}
