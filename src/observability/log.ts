// The one structured log line per request (SPEC "Observability"): no prompt text, no keys.

import type { Pricing } from '../config/schema.ts';
import type { AttemptSummary } from '../errors.ts';
import type { Usage } from '../protocols/model.ts';
import type { RescueRecord } from '../stream/rescue.ts';

export interface RequestLog {
  requestId: string;
  route: string;
  client: string;
  model: string | null;
  status: number;
  /** Where the answer came from; `estimate` for a token count the proxy estimated itself. */
  source: 'provider' | 'cache' | 'stale-cache' | 'degraded' | 'estimate' | null;
  cache: 'HIT' | 'MISS' | 'STALE' | 'BYPASS' | null;
  stream: boolean;
  provider?: string;
  upstreamModel?: string;
  attempts: AttemptSummary[];
  /** Tokens of the answer; null when the provider reported none (a stream cut before its usage). */
  usage?: Usage | null;
  /** USD, from the answering target's pricing: 0 for cache hits and degraded replies, null when unknown (no pricing or no usage). */
  cost?: number | null;
  /** How a stream ended: complete, error (in-band) or aborted by the client. */
  streamOutcome?: string;
  malformedEvents?: number;
  error?: string;
  /** Streams continued by a later target after a break (SPEC "Stream rescue"): who broke, how, and who finished. */
  rescues?: RescueRecord[];
  /** Request fields the answering target's protocol has no place for (a translated request only). */
  dropped?: string[];
  totalMs: number;
}

/** USD cost of a usage report at per-million-token prices. */
export function costOf(usage: Usage | undefined, pricing: Pricing | undefined): number | undefined {
  if (usage === undefined || pricing === undefined) return undefined;
  const usd = (usage.prompt_tokens * pricing.input + usage.completion_tokens * pricing.output) / 1_000_000;
  return Math.round(usd * 1e8) / 1e8;
}

/** Writes one JSON line. Every field is built by the proxy itself, never copied from a request. */
export function writeLog(line: RequestLog): void {
  console.log(JSON.stringify({ level: line.status >= 500 ? 'error' : 'info', msg: 'request', ...line }));
}

/** A warning line outside the per-request log (missing keys, invalid config). */
export function writeWarning(msg: string, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: 'warn', msg, ...fields }));
}

/** An error line outside the per-request log: only the error's name, never its message (it may quote input). */
export function writeError(msg: string, err: unknown): void {
  console.error(JSON.stringify({ level: 'error', msg, name: err instanceof Error ? err.name : typeof err }));
}
