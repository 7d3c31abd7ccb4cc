// PROXY_CONFIG of the fuzz runs: one healthy provider behind the `chat` and `embed` aliases, open or keyed.
import { ALIASES } from './bodies.ts';

/** The vendor key the provider is given; never expected in any answer. */
export const FUZZ_VENDOR_KEY = 'sk-fuzz-vendor-9d0e4c2b1a';

/** Lowercase hex SHA-256 of `text`, as `auth.keys[].sha256` wants it. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `origin` is where the provider is reached (the mock's origin; `http://mock.test` in workerd).
 * With `clientKeySha256`, the config requires that client key (`auth.mode = "keys"`).
 */
export function buildFuzzConfig(origin: string, clientKeySha256?: string): Record<string, unknown> {
  const target = { provider: 'p1', model: 'm-fuzz' };
  return {
    providers: { p1: { protocol: 'openai', baseUrl: `${origin}/id=fuzz/v1`, apiKeyEnv: 'FUZZ_VENDOR_KEY' } },
    models: { [ALIASES.chat]: { targets: [target] }, [ALIASES.embeddings]: { targets: [target] } },
    retry: { maxRetries: 0, firstTokenTimeoutMs: 2000, idleTimeoutMs: 2000, attemptTimeoutMs: 4000, deadlineMs: 5000 },
    ...(clientKeySha256 === undefined ? {} : { auth: { mode: 'keys', keys: [{ name: 'fuzz', sha256: clientKeySha256 }] } }),
  };
}
