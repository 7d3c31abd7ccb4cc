// Cache keys: canonical JSON of the fields that change an answer, hashed with SHA-256.
import { writeWarning } from './log.ts';
import type { ChatRequest } from './protocols/openai-schema.ts';
import { sha256Hex } from './sha256.ts';

/**
 * Request fields that change the answer, hence the key. Everything else (`stream`,
 * `stream_options`, `user`, `metadata`, `store`, `service_tier`, `safety_identifier`,
 * `prompt_cache_key`) is left out, so a streamed and a plain request share an entry.
 */
export const CHAT_KEY_FIELDS = [
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'response_format',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'n',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'reasoning_effort',
  'verbosity',
  'modalities',
  'audio',
  'prediction',
  'web_search_options',
  'enable_thinking',
  'thinking',
  'reasoning',
] as const satisfies readonly (keyof ChatRequest)[];

/** Fields of an embeddings request that change the answer. */
export const EMBEDDING_KEY_FIELDS = ['model', 'input', 'dimensions', 'encoding_format'] as const;

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

/** Picks the listed fields that are set (not undefined or null). */
export function pickFields(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const value = body[field];
    if (value !== undefined && value !== null) picked[field] = value;
  }
  return picked;
}

/**
 * The KV key of a request: `v1:<client>:<config version>:<kind>:<sha256 hex>`. The namespace
 * (client name and config version) keeps tenants apart and retires entries when the config changes.
 */
export async function cacheKey(kind: 'chat' | 'embeddings', client: string, configVersion: string, canonical: string): Promise<string> {
  return `v1:${client}:${configVersion}:${kind}:${await sha256Hex(canonical)}`;
}
