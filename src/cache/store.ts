// The KV response cache: entry format, freshness, request controls. Any KV error is a miss.
import type { ProxyConfig } from '../config/schema.ts';
import { writeWarning } from '../observability/log.ts';

/**
 * KV key schema: `v2:<client>:<config version>:<caller protocol>:<sha256 hex>` (see key.ts).
 * Value: a CacheEntry as JSON. KV expiry is max(60, TTL + staleIfErrorSeconds), so a stale entry
 * outlives its freshness by the stale-if-error window (longer only under KV's 60-second floor,
 * where the entry says itself that it is no longer fresh). Entries of an older version are misses.
 */
export interface CacheEntry {
  v: 2;
  /** Epoch ms when stored. */
  storedAt: number;
  /** Freshness in seconds. */
  ttl: number;
  /** The complete answer as the caller got it, in the caller's protocol (the vendor's own text when passed through). */
  body: string;
  provider: string;
  model: string;
}

export type CacheState = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

export type Lookup = { state: 'fresh' | 'stale'; entry: CacheEntry; ageSeconds: number } | { state: 'miss' };

/** What the caller's headers and the config allow for one request. */
export interface CacheControls {
  /** Look for a fresh entry before calling vendors. */
  lookup: boolean;
  /** Store a complete answer, and use stale entries when every target fails. */
  store: boolean;
  ttlSeconds: number;
}

type CacheConfig = ProxyConfig['cache'];

/**
 * Reads `Cache-Control: no-cache` (skip lookup, still store), `no-store` (neither) and
 * `x-proxy-cache-ttl` (seconds, clamped to [minTtlSeconds, maxTtlSeconds]). Without the header the
 * TTL is the config's `ttlSeconds` as written: the bounds limit what callers may ask for.
 */
export function cacheControls(cacheControl: string | undefined, ttlHeader: string | undefined, config: CacheConfig): CacheControls {
  const directives = (cacheControl ?? '').toLowerCase();
  const noStore = !config.enabled || /\bno-store\b/.test(directives);
  const noCache = /\bno-cache\b/.test(directives);
  let ttl = config.ttlSeconds;
  if (ttlHeader !== undefined && /^\s*\d+\s*$/.test(ttlHeader)) {
    ttl = Math.min(config.maxTtlSeconds, Math.max(config.minTtlSeconds, Number(ttlHeader)));
  }
  return { lookup: !noStore && !noCache, store: !noStore, ttlSeconds: ttl };
}

/** Freshness of an entry at `now`. Pure. */
export function freshness(entry: CacheEntry, now: number, staleIfErrorSeconds: number): Lookup {
  const ageSeconds = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
  if (ageSeconds < entry.ttl) return { state: 'fresh', entry, ageSeconds };
  if (ageSeconds < entry.ttl + staleIfErrorSeconds) return { state: 'stale', entry, ageSeconds };
  return { state: 'miss' };
}

// Isolate-local copy of recent entries in front of KV: a hot answer is served without a KV read.
// Bounded in entries and characters; evicts the least recently used.
const MEMORY_ENTRIES = 512;
const MEMORY_CHARS = 16 * 1024 * 1024;
const memory = new Map<string, CacheEntry>();
let memoryChars = 0;

function remember(key: string, entry: CacheEntry): void {
  forget(key);
  if (entry.body.length > MEMORY_CHARS / 8) return;
  memory.set(key, entry);
  memoryChars += entry.body.length;
  for (const [oldest, old] of memory) {
    if (memory.size <= MEMORY_ENTRIES && memoryChars <= MEMORY_CHARS) break;
    memory.delete(oldest);
    memoryChars -= old.body.length;
  }
}

function forget(key: string): void {
  const old = memory.get(key);
  if (old === undefined) return;
  memory.delete(key);
  memoryChars -= old.body.length;
}

/**
 * Reads an entry: from this isolate's memory when it holds it, else from KV. A KV failure or an
 * unreadable value is logged and counts as a miss.
 */
export async function readEntry(kv: KVNamespace, key: string, now: number, staleIfErrorSeconds: number): Promise<Lookup> {
  const held = memory.get(key);
  if (held !== undefined) {
    const lookup = freshness(held, now, staleIfErrorSeconds);
    if (lookup.state === 'miss') forget(key);
    else {
      memory.delete(key);
      memory.set(key, held);
      return lookup;
    }
  }
  try {
    const entry = await kv.get<CacheEntry>(key, 'json');
    if (entry === null || entry.v !== 2 || typeof entry.body !== 'string') return { state: 'miss' };
    const lookup = freshness(entry, now, staleIfErrorSeconds);
    if (lookup.state !== 'miss') remember(key, entry);
    return lookup;
  } catch (err) {
    writeWarning('cache read failed; treated as a miss', { error: err instanceof Error ? err.name : 'unknown' });
    return { state: 'miss' };
  }
}

// KV rejects expirationTtl below 60 seconds. That floor bounds only when KV physically removes an
// entry: freshness comes from the entry's own `storedAt` and `ttl` (see `freshness`), so a 5-second
// TTL is fresh for 5 seconds and then stale, however long KV keeps it.
const KV_MIN_TTL = 60;

/** Writes an entry, to expire at the longer of 60 s and TTL plus the stale window; a KV failure is logged and ignored (the answer was already served). */
export async function writeEntry(kv: KVNamespace, key: string, entry: CacheEntry, staleIfErrorSeconds: number): Promise<void> {
  remember(key, entry);
  try {
    await kv.put(key, JSON.stringify(entry), { expirationTtl: Math.max(KV_MIN_TTL, entry.ttl + staleIfErrorSeconds) });
  } catch (err) {
    writeWarning('cache write failed', { error: err instanceof Error ? err.name : 'unknown' });
  }
}
