// Helpers for the tests against the second proxy (cache and degraded replies on).
import type OpenAI from 'openai';
import type { MockCall } from '../mock-provider/handler.ts';
import { TENANT_KEYS } from './cache-config.ts';
import { mockCalls } from './observers.ts';
import { cacheProxyUrl, sdk } from './proxy-client.ts';

/** The openai SDK pointed at the proxy with the cache and degraded replies on, as one tenant. */
export function cacheSdk(apiKey: string = TENANT_KEYS.alpha): OpenAI {
  return sdk(cacheProxyUrl, apiKey);
}

let counter = 0;

/**
 * A prompt no other request of the run sends, so cache entries never collide. Digits only after
 * `label`, so the suffix can never match a degraded-reply rule by chance.
 */
export function uniquePrompt(label: string): string {
  counter += 1;
  return `${label} #${counter}-${Date.now()}`;
}

/** The mock calls (since the last reset) that asked for one of `models`. */
export async function callsTo(...models: string[]): Promise<MockCall[]> {
  return (await mockCalls()).filter((call) => call.model !== null && models.includes(call.model));
}

/**
 * Repeats `send` until the proxy answers `x-proxy-cache: HIT` (at most `timeoutMs`), and says how
 * many sends came first. The proxy writes KV in the background (`waitUntil`) after it answered,
 * so the first repeat can, rarely, arrive before the entry is there; tests count those misses
 * instead of sleeping for a guessed time. `send` must read the whole answer.
 */
export async function untilHit<T extends { response: Response }>(
  send: () => Promise<T>,
  timeoutMs = 5000,
): Promise<{ hit: T; misses: number }> {
  const until = Date.now() + timeoutMs;
  let misses = 0;
  for (;;) {
    const got = await send();
    if (got.response.headers.get('x-proxy-cache') === 'HIT') return { hit: got, misses };
    misses += 1;
    if (Date.now() > until) throw new Error(`no cache HIT within ${timeoutMs} ms (${misses} misses)`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The x-proxy-* headers and Age of an answer, for one `toMatchObject`. */
export function proxyHeadersOf(response: Response): Record<string, string | null> {
  const names = ['x-proxy-source', 'x-proxy-cache', 'x-proxy-provider', 'x-proxy-model', 'x-proxy-attempts', 'age'];
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}
