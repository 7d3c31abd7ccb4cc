// The one error class of the proxy: every failure that reaches a caller is a ProxyError.

/** One upstream attempt as shown to callers and logs: no keys, no upstream bodies. */
export interface AttemptSummary {
  provider: string;
  model: string;
  /** HTTP status, or null when there was no response (timeout, network, skipped). */
  status: number | null;
  ms: number;
  retryable: boolean;
  /** Short machine-readable cause: `timeout:first_token`, `network`, `missing_key`, `http:503` ... */
  error?: string;
  /** The key of a provider's pool the attempt used, by position: `#2 of 3` (never its value). */
  key?: string;
}

const SKIPS = new Set(['missing_key', 'keys_set_aside', 'unsupported_request', 'breaker_open']);

/** Upstream calls actually made: targets skipped (missing key, open breaker, a request they cannot serve) are not calls. */
export function countCalls(attempts: readonly AttemptSummary[]): number {
  return attempts.filter((a) => !isSkip(a)).length;
}

/** A target passed over without a call. */
export function isSkip(attempt: AttemptSummary): boolean {
  return attempt.status === null && SKIPS.has(attempt.error ?? '');
}

export interface ProxyErrorOptions {
  type?: string;
  param?: string | null;
  headers?: Record<string, string>;
  attempts?: AttemptSummary[];
}

/**
 * An error answered to the caller in its own protocol. `code` is machine-readable
 * (`model_not_found`, `all_targets_failed` ...); the message never holds a secret.
 */
export class ProxyError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly attempts: AttemptSummary[] | undefined;

  constructor(status: number, code: string, message: string, options: ProxyErrorOptions = {}) {
    super(message);
    this.name = 'ProxyError';
    this.status = status;
    this.code = code;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.attempts = options.attempts;
  }
}

function defaultType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Shorthand for a 400 about the request body. */
export function badRequest(message: string, param: string | null = null, code = 'invalid_request'): ProxyError {
  return new ProxyError(400, code, message, { param });
}
