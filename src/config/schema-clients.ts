// Who may call, in PROXY_CONFIG: client keys, the policy fields keys and tokens share, browser origins; each key documented in `.meta`.
import * as z from 'zod';
import { doc, envName, positiveInt } from './schema-doc.ts';

/** A browser origin exactly as browsers send it: scheme, host and port; no path, no slash, no wildcard. */
export const originSchema = z.string().refine(isOrigin, {
  message: 'must be an origin such as "https://app.example" (lowercase scheme and host, optional port, no path or trailing slash, no "*")',
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** What a client may do, from its key entry or its token's claims (README "Browser safety"). */
export const clientPolicyFields = {
  models: z
    .array(z.string())
    .optional()
    .meta(doc('Model aliases this client may use (403 for others); all when absent.', ['chat'])),
  origins: z
    .array(originSchema)
    .optional()
    .meta(doc('Browser origins this client may be used from; `cors.origins` when absent.', ['https://app.example'])),
  rpm: z.number().int().positive().max(100_000).optional().meta(doc('Requests per minute, counted exactly by a Durable Object.', 60)),
  maxTokens: positiveInt
    .optional()
    .meta(
      doc(
        'Output tokens a request may ask for (above it: 400, not clamped); sent upstream as the output limit when the request gives none.',
        1024,
      ),
    ),
  tpm: positiveInt
    .optional()
    .meta(
      doc(
        'Tokens (input + output) per minute, per UTC minute: each request reserves its worst case before any upstream call and settles with its real use.',
        100000,
      ),
    ),
  dailyTokens: positiveInt
    .optional()
    .meta(
      doc(
        'Daily budget in tokens (input + output), per UTC day: reserved before each call like `tpm`, so concurrent requests never overshoot it.',
        200000,
      ),
    ),
  dailyUsd: z
    .number()
    .positive()
    .optional()
    .meta(
      doc(
        "Daily budget in USD from the targets' pricing, per UTC day: a request reserves its worst case at its first target's pricing.",
        5,
      ),
    ),
};

// Token clients are named `jwt:<sub>`, so a key name never collides with one.
const clientKeySchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .refine((name) => !name.startsWith('jwt:'), { message: 'must not start with "jwt:" (reserved for token clients)' })
    .meta(doc("The client's name: in log lines, cache namespaces, budgets and the status page.", 'web')),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .meta(doc('SHA-256 of the client key, lowercase hex (`printf %s "$KEY" | sha256sum`); the key itself is never stored.')),
  ...clientPolicyFields,
  requireOrigin: z.boolean().optional().meta(doc('Refuse requests with this key that carry no `Origin` header (servers, curl).')),
});
export type ClientKey = z.infer<typeof clientKeySchema>;

export const authSchema = z.strictObject({
  mode: z
    .enum(['none', 'keys', 'jwt', 'keys+jwt'])
    .default('none')
    .meta(doc('Who may call: anyone (`none`), holders of a client key, of an HS256 token minted by your backend, or either.')),
  keys: z.array(clientKeySchema).default([]).meta(doc('Client keys (`keys` and `keys+jwt` modes).')),
  jwtSecretEnv: envName
    .default('PROXY_JWT_SECRET')
    .meta(doc('Name of the secret holding the HS256 token secret (at least 32 characters).')),
});
