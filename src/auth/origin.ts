// Which browser origins may call the proxy, for a preflight and for a client. Pure.
import type { ProxyConfig } from '../config/schema.ts';

export type OriginVerdict = { ok: true } | { ok: false; code: 'origin_not_allowed' | 'origin_required' };

/**
 * Origins a preflight is answered for. A preflight carries no key, so it cannot know which client
 * will follow: it allows the union of `cors.origins` and every key's `origins` (when keys are in
 * use), and the real request is then checked against its own client (`originVerdict`).
 */
export function preflightOrigins(config: ProxyConfig): ReadonlySet<string> {
  const origins = new Set(config.cors.origins);
  if (config.auth.mode !== 'none' && config.auth.mode !== 'jwt') {
    for (const key of config.auth.keys) for (const origin of key.origins ?? []) origins.add(origin);
  }
  return origins;
}

/**
 * A request's Origin against its client: the client's own `origins` when it has them, else
 * `cors.origins`. A request without an Origin header (a server, curl) passes unless the client
 * requires one. Origins are compared exactly, never by pattern.
 */
export function originVerdict(origin: string | undefined, allowed: readonly string[], requireOrigin: boolean): OriginVerdict {
  if (origin === undefined || origin === '') return requireOrigin ? { ok: false, code: 'origin_required' } : { ok: true };
  return allowed.includes(origin) ? { ok: true } : { ok: false, code: 'origin_not_allowed' };
}
