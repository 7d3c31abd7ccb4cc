// Builds the x-proxy-* response headers of the model routes in one place.
import type { CacheState } from './cache.ts';
import type { ChatMeta } from './targets.ts';

export type Source = 'provider' | 'cache' | 'stale-cache' | 'degraded';

/** Headers telling the caller who answered (SPEC section 2). Provider and model are absent for degraded replies. */
export function proxyHeaders(source: Source, cache: CacheState, meta: ChatMeta, ageSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = {
    'x-proxy-source': source,
    'x-proxy-cache': cache,
    'x-proxy-attempts': String(meta.attemptCount),
  };
  if (source !== 'degraded' && meta.provider !== undefined && meta.model !== undefined) {
    headers['x-proxy-provider'] = meta.provider;
    headers['x-proxy-model'] = meta.model;
  }
  if (ageSeconds !== undefined) headers.age = String(ageSeconds);
  return headers;
}

/** Headers of an SSE response. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;
