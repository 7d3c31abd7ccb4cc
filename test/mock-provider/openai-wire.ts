// Owns the OpenAI wire shapes the mock sends: completions, stream chunks, errors, models, embeddings.

/** Token counts as OpenAI reports them. */
export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

/** A tool call as it appears in a non-streaming assistant message. */
export type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

/** An assistant message of a non-streaming `chat.completion`. */
export type AssistantMessage =
  | { role: 'assistant'; content: string; refusal: null }
  | { role: 'assistant'; content: null; tool_calls: ToolCall[]; refusal: null };

/** A streamed tool-call fragment: id, type and name only on the first one. */
export type ToolCallDelta = {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
};

/** The `delta` of one `chat.completion.chunk`. */
export type ChunkDelta = {
  role?: 'assistant';
  content?: string | null;
  refusal?: null;
  tool_calls?: ToolCallDelta[];
};

export type FinishReason = 'stop' | 'tool_calls';

/** What every chunk and completion of one answer shares. */
export type CompletionMeta = { id: string; model: string; created: number };

/** OpenAI's error body. */
export type OpenAIError = { error: { message: string; type: string; code: string | null; param: string | null } };

/** Overrides of an error body, from the scenario's `code`, `type` and `message`. */
export type ErrorOverrides = { code?: string; type?: string; message?: string };

const fingerprint = 'fp_mock';

/** Usage with the total filled in. */
export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** A non-streaming `chat.completion` object, shaped as OpenAI sends it. */
export function chatCompletion(meta: CompletionMeta, message: AssistantMessage, finishReason: FinishReason, tokens: Usage) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: tokens,
    service_tier: 'default',
    system_fingerprint: fingerprint,
  };
}

/**
 * One `chat.completion.chunk`. With `include_usage`, OpenAI adds `usage: null` to every chunk
 * and sends the counts in a last chunk with `choices: []` (see `usageChunk`).
 */
export function chatChunk(meta: CompletionMeta, delta: ChunkDelta, finishReason: FinishReason | null, includeUsage: boolean) {
  const chunk = {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: fingerprint,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  return includeUsage ? { ...chunk, usage: null } : chunk;
}

/** The trailing usage chunk sent when `stream_options.include_usage` is true. */
export function usageChunk(meta: CompletionMeta, tokens: Usage) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: fingerprint,
    choices: [],
    usage: tokens,
  };
}

/** One server-sent event carrying JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The stream terminator. */
export const sseDone = 'data: [DONE]\n\n';

/** A deliberately broken event (`malformed-at`). */
export const sseMalformed = 'data: {"choices": [\n\n';

/** The in-band error OpenAI sends when a stream fails after it started (`error-event-after`). */
export const streamError: OpenAIError = {
  error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null, param: null },
};

type ErrorDefaults = { type: string; code: string | null; message: string; param?: string };

const byStatus: Record<number, ErrorDefaults> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request (scripted by the mock provider).' },
  401: {
    type: 'authentication_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: { type: 'permission_error', code: 'permission_denied', message: 'You are not allowed to access this resource.' },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model `{model}` does not exist or you do not have access to it.',
  },
  408: { type: 'timeout_error', code: 'request_timeout', message: 'Request timed out.' },
  409: { type: 'conflict_error', code: 'conflict', message: 'The request conflicted with another request. Please retry.' },
  422: { type: 'invalid_request_error', code: 'unprocessable_entity', message: 'The request could not be processed.' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
  },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: 'bad_gateway', message: 'Bad gateway.' },
  503: { type: 'server_error', code: 'service_unavailable', message: 'The engine is currently overloaded, please try again later.' },
  504: { type: 'server_error', code: 'gateway_timeout', message: 'Gateway timeout.' },
  524: { type: 'server_error', code: 'timeout', message: 'A timeout occurred while waiting for the origin.' },
  529: { type: 'overloaded_error', code: 'overloaded', message: 'Overloaded' },
};

const byCode: Record<string, ErrorDefaults> = {
  insufficient_quota: {
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    message: 'You exceeded your current quota, please check your plan and billing details.',
  },
  context_length_exceeded: {
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'messages',
    message:
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
  },
  content_policy_violation: {
    type: 'invalid_request_error',
    code: 'content_policy_violation',
    message: 'Your request was rejected as a result of our safety system.',
  },
};

/**
 * An OpenAI error body for `status`. A known `code` (insufficient_quota, context_length_exceeded,
 * content_policy_violation) brings its own type and message; explicit overrides win over both.
 */
export function errorBody(status: number, overrides: ErrorOverrides = {}, model = 'unknown'): OpenAIError {
  const generic: ErrorDefaults =
    status >= 500
      ? { type: 'server_error', code: null, message: `The server returned HTTP ${status}.` }
      : { type: 'invalid_request_error', code: null, message: `The request failed with HTTP ${status}.` };
  const base = (overrides.code !== undefined ? byCode[overrides.code] : undefined) ?? byStatus[status] ?? generic;
  return {
    error: {
      message: (overrides.message ?? base.message).replaceAll('{model}', model),
      type: overrides.type ?? base.type,
      code: overrides.code ?? base.code,
      param: base.param ?? null,
    },
  };
}

/** The `/v1/models` list. */
export function modelList(ids: readonly string[], ownedBy: string, created: number) {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: ownedBy })) };
}

/** A deterministic unit vector of length 8 derived from `text` (FNV-1a per dimension). */
export function embedVector(text: string): number[] {
  const vector = Array.from({ length: 8 }, (_, dim) => {
    let hash = 0x811c9dc5 ^ dim;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return ((hash >>> 0) / 0xffffffff) * 2 - 1;
  });
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => Math.fround(value / norm));
}

function toBase64(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The `/v1/embeddings` answer. `encoding_format: 'base64'` (what the openai SDK asks for by
 * default) returns little-endian float32 bytes in base64, as OpenAI does.
 */
export function embeddingList(inputs: readonly string[], model: string, format: 'float' | 'base64', promptTokens: number) {
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = embedVector(input);
      return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
