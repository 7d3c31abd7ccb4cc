// Owns the recorded Claude Code requests (test/fixtures/claude-code): their shape, recording one from a MockCall, replaying one to a mock.

import type { MockCall, MockProvider } from './handler.ts';

/** One request Claude Code sent to the mock, as kept in `test/fixtures/claude-code/*.json` (no credentials). */
export type RecordedRequest = {
  method: string;
  /** The API path, e.g. `/v1/messages` or `/v1/messages/count_tokens`. */
  path: string;
  /** The query string with its `?`, e.g. `?beta=true`. */
  query: string;
  /** The mock scenario the base URL carried (`''` for none). */
  scenario: string;
  /** Every header it sent, lower-case, without `x-api-key` and `authorization`. */
  headers: Record<string, string>;
  body: unknown;
};

const credentialHeaders = new Set(['x-api-key', 'authorization']);

/** A MockCall as a fixture: the request only, its credentials left out. */
export function recordedRequest(call: MockCall): RecordedRequest {
  const headers = Object.fromEntries(Object.entries(call.headers).filter(([name]) => !credentialHeaders.has(name)));
  return { method: call.method, path: call.path, query: call.query, scenario: call.scenario, headers, body: call.body };
}

/** Sends a recorded request to `provider` again, with `apiKey` as its `x-api-key`. */
export function replay(provider: MockProvider, recorded: RecordedRequest, apiKey = 'sk-ant-replay'): Promise<Response> {
  const prefix = recorded.scenario === '' ? '' : `/${recorded.scenario}`;
  const headers = Object.entries(recorded.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name));
  return provider.fetch(`http://mock.test${prefix}${recorded.path}${recorded.query}`, {
    method: recorded.method,
    headers: [...headers, ['x-api-key', apiKey]],
    body: recorded.body === null ? undefined : JSON.stringify(recorded.body),
  });
}
