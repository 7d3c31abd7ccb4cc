// The zod schema of PROXY_CONFIG (SPEC section 3), with every default the contract names.
import * as z from 'zod';
import { PRESET_NAMES } from './presets.ts';

const ms = z.number().int().nonnegative();
const positiveMs = z.number().int().positive();

/** Retry, timeout and stream-recovery options; every field may be overridden per target. */
export const retrySchema = z.strictObject({
  maxRetries: z.number().int().min(0).max(10).default(2),
  baseDelayMs: ms.default(250),
  maxDelayMs: ms.default(4000),
  maxRetryWaitMs: ms.default(2000),
  connectTimeoutMs: positiveMs.default(5000),
  firstTokenTimeoutMs: positiveMs.default(10000),
  idleTimeoutMs: positiveMs.default(15000),
  attemptTimeoutMs: positiveMs.default(120000),
  deadlineMs: positiveMs.default(100000),
  streamRecovery: z.enum(['continue', 'error']).default('continue'),
});
export type RetryOptions = z.infer<typeof retrySchema>;

const pricingSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
});
export type Pricing = z.infer<typeof pricingSchema>;

const providerSchema = z
  .strictObject({
    preset: z.enum(PRESET_NAMES).optional(),
    protocol: z.enum(['openai', 'anthropic']).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an env var name')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .refine((p) => p.preset !== undefined || (p.protocol !== undefined && p.baseUrl !== undefined), {
    message: 'needs a "preset", or both "protocol" and "baseUrl"',
  });

const targetSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  pricing: pricingSchema.optional(),
  prefill: z.boolean().optional(),
  maxTokens: z.number().int().positive().optional(),
  retry: retrySchema.partial().optional(),
});

const modelSchema = z.strictObject({ targets: z.array(targetSchema).min(1) });

const breakerSchema = z.strictObject({
  windowSize: z.number().int().min(1).default(20),
  minCalls: z.number().int().min(1).default(5),
  failureRate: z.number().gt(0).max(1).default(0.5),
  consecutiveFailures: z.number().int().min(1).default(5),
  openMs: positiveMs.default(15000),
  openBackoff: z.number().min(1).default(1),
  maxOpenMs: positiveMs.default(120000),
  halfOpenProbes: z.number().int().min(1).default(1),
});

// KV rejects expirationTtl below 60 seconds, hence the floor on minTtlSeconds.
const cacheSchema = z.strictObject({
  enabled: z.boolean().default(true),
  ttlSeconds: z.number().int().min(60).default(3600),
  minTtlSeconds: z.number().int().min(60).default(60),
  maxTtlSeconds: z.number().int().min(60).default(604800),
  staleIfErrorSeconds: z.number().int().min(0).default(86400),
});

const ruleSchema = z
  .strictObject({
    match: z.array(z.string().min(1)).min(1),
    regex: z.boolean().default(false),
    reply: z.string().min(1),
  })
  .refine((rule) => !rule.regex || rule.match.every(compiles), {
    message: 'a "match" entry is not a valid regular expression',
    path: ['match'],
  });

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'iu');
    return true;
  } catch {
    return false;
  }
}

const degradedSchema = z.strictObject({
  enabled: z.boolean().default(true),
  notice: z.string().default('(The assistant is temporarily unavailable; this is an automatic reply.)'),
  defaultReply: z
    .string()
    .default('Sorry, I cannot answer right now because every model provider is unavailable. Please try again shortly.'),
  rules: z.array(ruleSchema).default([]),
});

/** A browser origin exactly as browsers send it: scheme, host and port; no path, no slash, no wildcard. */
const originSchema = z.string().refine(isOrigin, {
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
  models: z.array(z.string()).optional(),
  /** Browser origins this client may be used from; `cors.origins` when absent. */
  origins: z.array(originSchema).optional(),
  /** Requests per minute, counted exactly by a Durable Object. */
  rpm: z.number().int().positive().max(100_000).optional(),
  /** Output tokens a request may ask for (above it: 400, not clamped). */
  maxTokens: z.number().int().positive().optional(),
  /** Daily budget in tokens (input + output), per UTC day. */
  dailyTokens: z.number().int().positive().optional(),
  /** Daily budget in USD from the targets' pricing, per UTC day. */
  dailyUsd: z.number().positive().optional(),
};

// Token clients are named `jwt:<sub>`, so a key name never collides with one.
const clientKeySchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .refine((name) => !name.startsWith('jwt:'), { message: 'must not start with "jwt:" (reserved for token clients)' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  ...clientPolicyFields,
  /** Refuse requests that carry no Origin header (servers, curl) with this key. */
  requireOrigin: z.boolean().optional(),
});
export type ClientKey = z.infer<typeof clientKeySchema>;

const authSchema = z.strictObject({
  mode: z.enum(['none', 'keys', 'jwt', 'keys+jwt']).default('none'),
  keys: z.array(clientKeySchema).default([]),
  jwtSecretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an env var name')
    .default('PROXY_JWT_SECRET'),
});

const limitsSchema = z.strictObject({
  maxBodyBytes: z.number().int().min(1024).default(1048576),
  maxMessages: z.number().int().min(1).default(256),
  maxTokens: z.number().int().min(1).default(8192),
  ipRpm: z.number().int().min(0).max(10_000).default(0),
});

/** The whole PROXY_CONFIG document. Unknown keys are errors, so a typo never passes silently. */
export const proxyConfigSchema = z.strictObject({
  providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'provider ids use [A-Za-z0-9_.-]'), providerSchema),
  models: z.record(z.string().min(1), modelSchema),
  retry: retrySchema.prefault({}),
  breaker: breakerSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  degraded: degradedSchema.prefault({}),
  auth: authSchema.prefault({}),
  cors: z.strictObject({ origins: z.array(originSchema).default([]) }).prefault({}),
  limits: limitsSchema.prefault({}),
  status: z.strictObject({ public: z.boolean().default(false) }).prefault({}),
});
export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

/**
 * Targets naming a provider that is not configured. Reads the raw input tolerantly, so these are
 * reported together with schema errors elsewhere in the document (zod skips refinements then).
 */
export function unknownProviderIssues(input: unknown): string[] {
  if (!isRecord(input) || !isRecord(input.models)) return [];
  const providers = isRecord(input.providers) ? input.providers : {};
  const issues: string[] = [];
  for (const [alias, model] of Object.entries(input.models)) {
    if (!isRecord(model) || !Array.isArray(model.targets)) continue;
    model.targets.forEach((target: unknown, i) => {
      if (isRecord(target) && typeof target.provider === 'string' && !Object.hasOwn(providers, target.provider)) {
        issues.push(`models.${alias}.targets.${i}.provider: unknown provider "${target.provider}"`);
      }
    });
  }
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
