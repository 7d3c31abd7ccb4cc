// The policy sections of PROXY_CONFIG: retry, breaker, cache, degraded replies, limits, alerts; each key documented in `.meta`.
import * as z from 'zod';
import { doc, envName, ms, positiveMs } from './schema-doc.ts';

/** Retry, timeout and stream-recovery options; every field may be overridden per target. */
export const retrySchema = z.strictObject({
  maxRetries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .default(2)
    .meta(doc('Retries of a transient error (408, 409, 429, 5xx, 524, 529, a lost connection) on the same target before moving on.')),
  baseDelayMs: ms.default(250).meta(doc('First backoff step: retry n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2^n)).')),
  maxDelayMs: ms.default(4000).meta(doc('Longest backoff between two retries.')),
  maxRetryWaitMs: ms
    .default(2000)
    .meta(doc('Longest vendor `Retry-After` the proxy waits for; a longer one moves on to the next target at once.')),
  connectTimeoutMs: positiveMs
    .default(5000)
    .meta(doc('Streaming requests only: longest wait for the response headers. A non-streaming answer is bounded by attemptTimeoutMs.')),
  firstTokenTimeoutMs: positiveMs
    .default(10000)
    .meta(doc('Longest wait from the start of an attempt to the first token; then the next target is tried (nothing was sent yet).')),
  idleTimeoutMs: positiveMs
    .default(15000)
    .meta(
      doc(
        'Longest silence between two events of a stream after its first token; then the stream is rescued or ended with an in-band error.',
      ),
    ),
  attemptTimeoutMs: positiveMs.default(120000).meta(doc('Longest one attempt may take, whole answer or stream.')),
  deadlineMs: positiveMs
    .default(100000)
    .meta(doc('Nothing waits past this many ms after the request arrived (before a stream has started), retries and fallbacks included.')),
  streamRecovery: z
    .enum(['continue', 'error'])
    .default('continue')
    .meta(
      doc(
        'After a stream broke past its first token: `continue` asks a later `prefill` target to continue the text already sent; `error` ends the stream with an in-band error.',
      ),
    ),
});
export type RetryOptions = z.infer<typeof retrySchema>;

export const breakerSchema = z.strictObject({
  windowSize: z.number().int().min(1).default(20).meta(doc('Outcomes kept in the sliding window of a closed breaker.')),
  minCalls: z.number().int().min(1).default(5).meta(doc('Outcomes the window needs before its failure rate may open the breaker.')),
  failureRate: z.number().gt(0).max(1).default(0.5).meta(doc('Share of failures in the window (0..1] that opens the breaker.')),
  consecutiveFailures: z.number().int().min(1).default(5).meta(doc('Failures in a row that open the breaker, whatever the window says.')),
  openMs: positiveMs.default(15000).meta(doc('How long an open breaker turns traffic away before letting a probe through.')),
  openBackoff: z
    .number()
    .min(1)
    .default(1)
    .meta(doc('Multiplies `openMs` on each consecutive re-open (a failed probe); 1 keeps it constant.', 2)),
  maxOpenMs: positiveMs.default(120000).meta(doc('Longest open period, backoff included (a longer vendor `Retry-After` still wins).')),
  halfOpenProbes: z.number().int().min(1).default(1).meta(doc('Concurrent probe requests a half-open breaker lets through.')),
});

// Freshness comes from each entry (`storedAt` + `ttl`), so any positive TTL works; KV's 60-second
// floor on expirationTtl applies only to physical expiry (src/cache/store.ts).
export const cacheSchema = z.strictObject({
  enabled: z.boolean().default(true).meta(doc('Whether answers are cached in KV at all.')),
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .default(3600)
    .meta(doc('How long a stored answer is served as fresh (any positive number of seconds).', 30)),
  minTtlSeconds: z.number().int().min(1).default(60).meta(doc('Lowest TTL a caller may ask for with `x-proxy-cache-ttl`.')),
  maxTtlSeconds: z.number().int().min(1).default(604800).meta(doc('Highest TTL a caller may ask for with `x-proxy-cache-ttl`.')),
  staleIfErrorSeconds: z
    .number()
    .int()
    .min(0)
    .default(86400)
    .meta(doc('How long past its TTL an entry is kept and served (`x-proxy-source: stale-cache`) when every target failed.')),
});

const ruleSchema = z
  .strictObject({
    match: z
      .array(z.string().min(1))
      .min(1)
      .meta(
        doc('Substrings (case-insensitive) or, with `regex`, patterns; any one matching the last user message picks this rule.', [
          'price',
          '价格',
        ]),
      ),
    regex: z.boolean().default(false).meta(doc('Read `match` entries as regular expressions (flags `iu`).')),
    reply: z.string().min(1).meta(doc('The reply text.', 'Plans start at $10 a month: see /pricing.')),
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

export const degradedSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .meta(doc('Answer with a rule-based 200 when every target failed and no stale entry exists; else a 503.')),
  notice: z
    .string()
    .default('(The assistant is temporarily unavailable; this is an automatic reply.)')
    .meta(doc('Appended to every degraded reply, after a blank line; empty for none.')),
  defaultReply: z
    .string()
    .default('Sorry, I cannot answer right now because every model provider is unavailable. Please try again shortly.')
    .meta(doc('The reply when no rule matches.')),
  rules: z.array(ruleSchema).default([]).meta(doc('Replies chosen by the last user message; the first matching rule wins.')),
});

export const limitsSchema = z.strictObject({
  maxBodyBytes: z.number().int().min(1024).default(1048576).meta(doc('Largest request body (413 above it).')),
  maxMessages: z.number().int().min(1).default(256).meta(doc('Most messages a request may carry (400 above it).')),
  maxTokens: z.number().int().min(1).default(8192).meta(doc('Most output tokens any request may ask for (400 above it).')),
  ipRpm: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .meta(doc('Requests per minute per caller IP, counted per Cloudflare location; 0 turns it off.')),
});

export const alertsSchema = z.strictObject({
  webhookEnv: envName
    .default('ALERT_WEBHOOK_URL')
    .meta(
      doc(
        'Name of the secret holding the alert webhook URL (a Slack incoming webhook, or any receiver of JSON). Events (breaker changes, a key rejected, a budget exhausted, an invalid config) are POSTed there; no alerts while the secret is unset.',
      ),
    ),
});
