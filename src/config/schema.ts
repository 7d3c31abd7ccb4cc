// The zod schema of PROXY_CONFIG (providers, models, and the sections of schema-policies.ts and schema-clients.ts), every key documented in `.meta`.
import * as z from 'zod';
import { PRESET_NAMES } from './presets.ts';
import { authSchema, originSchema } from './schema-clients.ts';
import { doc, envName, positiveInt } from './schema-doc.ts';
import { alertsSchema, breakerSchema, cacheSchema, degradedSchema, limitsSchema, retrySchema } from './schema-policies.ts';

export { type ClientKey, clientPolicyFields } from './schema-clients.ts';
export { type RetryOptions, retrySchema } from './schema-policies.ts';

const pricingSchema = z.strictObject({
  input: z.number().nonnegative().meta(doc('USD per million input (prompt) tokens.', 0.27)),
  output: z.number().nonnegative().meta(doc('USD per million output (completion) tokens.', 1.1)),
});
export type Pricing = z.infer<typeof pricingSchema>;

const providerSchema = z
  .strictObject({
    preset: z
      .enum(PRESET_NAMES)
      .optional()
      .meta(
        doc("A vendor preset: fills `protocol`, `baseUrl`, the key's env name and whether it continues an assistant prefix.", 'deepseek'),
      ),
    protocol: z
      .enum(['openai', 'anthropic'])
      .optional()
      .meta(doc('Wire protocol of the vendor: OpenAI Chat Completions or Anthropic Messages. Required without a preset.')),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta(
        doc(
          "The vendor's API base URL, up to and including `/v1`; overrides the preset's. Required without a preset.",
          'http://127.0.0.1:11434/v1',
        ),
      ),
    apiKeyEnv: z
      .union([envName, z.array(envName).min(1).max(64)])
      .optional()
      .meta(
        doc(
          "Name of the secret (env var) holding the vendor key, or a list of names: a key pool, used in turn, where a key the vendor rejects or rate-limits is set aside for a while and the next one tried. The preset's name when absent. No key is sent when neither names one.",
          ['OPENAI_KEY_1', 'OPENAI_KEY_2'],
        ),
      ),
    responses: z
      .boolean()
      .optional()
      .meta(
        doc(
          "The vendor speaks the OpenAI Responses API (`/v1/responses`) natively, so a Responses caller is passed through to it unchanged; otherwise Responses requests are translated to Chat Completions (or Anthropic Messages). The preset's value when absent (`openai` sets it).",
          true,
        ),
      ),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .meta(
        doc('Extra headers sent with every call to this vendor (not secrets: they are part of the config).', {
          'HTTP-Referer': 'https://app.example',
        }),
      ),
  })
  .refine((p) => p.preset !== undefined || (p.protocol !== undefined && p.baseUrl !== undefined), {
    message: 'needs a "preset", or both "protocol" and "baseUrl"',
  });

const targetSchema = z.strictObject({
  provider: z.string().min(1).meta(doc('Id of a provider under `providers`.', 'deepseek')),
  model: z.string().min(1).meta(doc("The vendor's model name, sent upstream in place of the alias.", 'deepseek-chat')),
  pricing: pricingSchema.optional().meta(doc("Prices of this target, for the log line's cost and USD budgets; cost is null without them.")),
  prefill: z
    .boolean()
    .optional()
    .meta(
      doc(
        "Whether this target may continue another target's broken stream (it continues an assistant prefix); the preset's value when absent.",
      ),
    ),
  maxTokens: positiveInt
    .optional()
    .meta(
      doc(
        "The output limit sent when the caller gives none, within the client's cap (`limits.maxTokens`, the key's `maxTokens`); the cap when absent.",
        4096,
      ),
    ),
  weight: z
    .number()
    .positive()
    .default(1)
    .meta(doc('With `balance: "weighted"`, this target\'s share of the first attempts, relative to the other targets\' weights.', 3)),
  retry: retrySchema
    .partial()
    .optional()
    .meta({
      ...doc('Any `retry` key, for this target only; the others keep their global value.', { firstTokenTimeoutMs: 30000 }),
      seeAlso: 'retry',
    }),
});

const modelSchema = z.strictObject({
  targets: z
    .array(targetSchema)
    .min(1)
    .meta(doc('The fallback chain, tried in order: the first target whose key is set and whose breaker admits traffic answers.')),
  balance: z
    .enum(['ordered', 'weighted', 'latency'])
    .default('ordered')
    .meta(
      doc(
        'Which target a request tries first: `ordered`, the first in the list; `weighted`, one drawn by `weight`; `latency`, the one with the lowest recent latency (time to first token for streams), with a 5% share drawn at random so a recovered target is noticed. Only targets whose key is set and whose breaker admits traffic are drawn; after the first attempt, fallback follows the list order.',
        'weighted',
      ),
    ),
  sticky: z
    .strictObject({
      ttlSeconds: z
        .number()
        .int()
        .min(1)
        .max(86_400)
        .default(600)
        .meta(doc('How long a conversation stays pinned to the target that answered it last, renewed by each answer.', 600)),
    })
    .optional()
    .meta(
      doc(
        "Keeps one conversation on one target while that target is healthy, so the vendor's prompt cache stays warm. The conversation is `x-session-id`, else `x-claude-code-session-id`, else `prompt_cache_key`, else Anthropic `metadata.user_id`, else a hash of the system prompt and the first user message, within the client's namespace.",
        { ttlSeconds: 600 },
      ),
    ),
});

/** The whole PROXY_CONFIG document. Unknown keys are errors, so a typo never passes silently. */
export const proxyConfigSchema = z.strictObject({
  providers: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'provider ids use [A-Za-z0-9_.-]'), providerSchema)
    .meta({ ...doc('The vendors, by an id of your choice (letters, digits, `_`, `.`, `-`).'), keyName: '<provider id>' }),
  models: z
    .record(z.string().min(1), modelSchema)
    .meta({ ...doc('The model aliases callers name in `model`, each with its fallback chain.'), keyName: '<alias>' }),
  retry: retrySchema.prefault({}).meta(doc('Retries, timeouts and stream recovery, for every target (a target may override any of them).')),
  breaker: breakerSchema.prefault({}).meta(doc('The circuit breaker of each provider (one Durable Object per provider id).')),
  cache: cacheSchema.prefault({}).meta(doc('The KV response cache.')),
  degraded: degradedSchema.prefault({}).meta(doc('Rule-based replies when every target failed.')),
  auth: authSchema.prefault({}).meta(doc('Who may call the model routes.')),
  cors: z
    .strictObject({
      origins: z
        .array(originSchema)
        .default([])
        .meta(doc('Browser origins allowed for every client (a key may name its own).', ['https://app.example'])),
    })
    .prefault({})
    .meta(doc('Cross-origin access for browsers: never an arbitrary Origin.')),
  limits: limitsSchema.prefault({}).meta(doc('Request limits checked before any upstream work.')),
  status: z
    .strictObject({
      public: z
        .boolean()
        .default(false)
        .meta(doc('Open `/status` and `/status.json` to everyone (without the per-client spend); admin routes stay protected.')),
    })
    .prefault({})
    .meta(doc('The status page.')),
  alerts: alertsSchema.prefault({}).meta(doc('The alert webhook.')),
  responses: z
    .strictObject({
      retentionDays: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(30)
        .meta(doc('How long a stored Response (`store` true) and its input items are kept, per client, before an alarm removes them.', 30)),
    })
    .prefault({})
    .meta(
      doc('Stored Responses (`POST /v1/responses` with `store` true), read back by `previous_response_id` and `GET /v1/responses/:id`.'),
    ),
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
