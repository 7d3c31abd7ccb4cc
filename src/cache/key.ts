// Cache keys: canonical JSON of what identifies an answer, hashed with SHA-256.
import { writeWarning } from '../observability/log.ts';
import type { CallerId } from '../protocols/adapter.ts';
import { sha256Hex } from '../sha256.ts';

/**
 * JSON with object keys sorted at every depth, and `undefined`/`null` fields dropped at the top
 * level, so equal requests give equal text whatever the field order the client sent.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .flatMap((k) => {
        const v = (value as Record<string, unknown>)[k];
        return v === undefined ? [] : [`${JSON.stringify(k)}:${canonicalJson(v)}`];
      });
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `canonicalJson`, or undefined when the value is nested too deeply for it (thousands of levels,
 * which JSON allows: the recursion exhausts the stack and throws a RangeError). Such a request is
 * then not cached, and still served: the cache fails open.
 */
export function canonicalOrUncacheable(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    writeWarning('request nested too deeply for a cache key; not cached', {});
    return undefined;
  }
}

/**
 * The KV key of a request: `v2:<client>:<config version>:<caller protocol>:<sha256 hex>`. The
 * namespace (client name and config version) keeps tenants apart and retires entries when the
 * config changes; the caller protocol keeps each protocol's answers (stored as the caller got
 * them) apart.
 */
export async function cacheKey(caller: CallerId, client: string, configVersion: string, canonical: string): Promise<string> {
  return `v2:${client}:${configVersion}:${caller}:${await sha256Hex(canonical)}`;
}
