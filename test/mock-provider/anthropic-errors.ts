// Owns Anthropic's error bodies: the status → error type table and the messages the mock sends with them. Pure.

import type { Scenario } from './scenario.ts';

/** Anthropic's error body; `request_id` repeats the `request-id` header. */
export type AnthropicError = { type: 'error'; error: { type: string; message: string }; request_id: string };

/** Overrides from the scenario: `type` and `message` replace the defaults, `code` picks a known case. */
export type AnthropicErrorOverrides = Pick<Scenario, 'code' | 'type' | 'message'>;

type ErrorDefaults = { type: string; message: string };

/**
 * The statuses Anthropic documents, plus sensible types for the others the mock can script:
 * 408 and 504 are `timeout_error` (the SDK's gateway-timeout type) and 409, 502, 503 `api_error`,
 * so no transient status carries `invalid_request_error`, which a proxy must treat as terminal.
 */
const byStatus = {
  400: { type: 'invalid_request_error', message: 'Invalid request (scripted by the mock provider).' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: {
    type: 'billing_error',
    message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'model: {model}' },
  408: { type: 'timeout_error', message: 'Request timed out.' },
  409: { type: 'api_error', message: 'The request conflicted with another request. Please retry.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  422: { type: 'invalid_request_error', message: 'The request could not be processed.' },
  429: { type: 'rate_limit_error', message: 'This request would exceed the rate limit for your organization of 50 requests per minute.' },
  500: { type: 'api_error', message: 'Internal server error' },
  502: { type: 'api_error', message: 'Bad gateway' },
  503: { type: 'api_error', message: 'Service unavailable' },
  504: { type: 'timeout_error', message: 'Request timed out.' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
} satisfies Record<number, ErrorDefaults>;

/**
 * The OpenAI-style `code=` values that have an Anthropic counterpart. Anthropic has no code field:
 * context overflow is an `invalid_request_error` recognised by its message, running out of
 * credit a `billing_error`.
 */
const byCode = {
  context_length_exceeded: { type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' },
  insufficient_quota: byStatus[402],
} satisfies Record<string, ErrorDefaults>;

function isKeyOf<T extends object>(table: T, key: PropertyKey): key is keyof T {
  return Object.hasOwn(table, key);
}

/**
 * An Anthropic error body for `status`. A known `code` brings its own type and message; the
 * scenario's `type` and `message` win over both. Other 4xx are `invalid_request_error` and other
 * 5xx `api_error`, as Anthropic documents.
 */
export function anthropicErrorBody(
  status: number,
  requestId: string,
  overrides: AnthropicErrorOverrides = {},
  model = 'unknown',
): AnthropicError {
  const generic: ErrorDefaults =
    status >= 500
      ? { type: 'api_error', message: `The server returned HTTP ${status}.` }
      : { type: 'invalid_request_error', message: `The request failed with HTTP ${status}.` };
  const fromCode = overrides.code !== undefined && isKeyOf(byCode, overrides.code) ? byCode[overrides.code] : undefined;
  const base = fromCode ?? (isKeyOf(byStatus, status) ? byStatus[status] : generic);
  return {
    type: 'error',
    error: { type: overrides.type ?? base.type, message: (overrides.message ?? base.message).replaceAll('{model}', model) },
    request_id: requestId,
  };
}
