// Builds the x-proxy-* response headers of the model routes in one place.
import type { ChatMeta } from './gateway.ts';

export type Source = 'provider' | 'cache' | 'stale-cache' | 'degraded';
export type CacheState = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

/** Headers telling the caller who answered (SPEC section 2). Provider and model are absent for degraded replies. */
export function proxyHeaders(source: Source, cache: CacheState, meta: ChatMeta | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'x-proxy-source': source, 'x-proxy-cache': cache };
  if (meta !== undefined) {
    headers['x-proxy-attempts'] = String(meta.attemptCount);
    if (source !== 'degraded') {
      headers['x-proxy-provider'] = meta.provider;
      headers['x-proxy-model'] = meta.model;
    }
  }
  return headers;
}

/** Headers of an SSE response. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;
