// Owns the OpenAI Responses wire shapes the mock sends: the Response object, its output items, usage, named SSE events and errors.

import type { OpenAIError } from './openai-wire.ts';

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
export type OutputText = { type: 'output_text'; annotations: never[]; logprobs: never[]; text: string };
export type SummaryText = { type: 'summary_text'; text: string };
export type ReasoningItem = { id: string; type: 'reasoning'; encrypted_content?: string; summary: SummaryText[] };
export type MessageItem = { id: string; type: 'message'; status: ItemStatus; content: OutputText[]; role: 'assistant' };
export type FunctionCallItem = {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
  /** The namespace group the function was offered in (Codex's MCP tools); absent for a top-level function. */
  namespace?: string;
};
/** One item of a Response's `output`. */
export type OutputItem = ReasoningItem | MessageItem | FunctionCallItem;

/** Token counts as the Responses API reports them. */
export type ResponsesUsage = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** The error a failed Response carries (`response.failed`). */
export type ResponseFailure = { code: string; message: string };

/** What every lifecycle state of one Response shares: its id, creation time, model and the request's settings echoed. */
export type ResponseMeta = { id: string; createdAt: number; model: string; settings: Record<string, unknown> };

/** Where a Response stands: its status, output so far, usage and why it failed or stopped short. */
export type ResponseState = {
  status: ResponseStatus;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  error?: ResponseFailure;
  incompleteReason?: 'max_output_tokens';
};

/** A Response object as the API sends it (JSON body, lifecycle events, `GET /v1/responses/:id`). */
export type ResponseObject = Record<string, unknown> & { id: string; status: ResponseStatus; output: OutputItem[] };

/** Usage with the total filled in; `reasoning` tokens are part of `output`. */
export function responsesUsage(input: number, output: number, reasoning: number, cached: number): ResponsesUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

function field(body: Record<string, unknown>, key: string, fallback: unknown): unknown {
  return body[key] ?? fallback;
}

function reasoningSetting(reasoning: unknown): { effort: unknown; summary: unknown } {
  if (typeof reasoning !== 'object' || reasoning === null) return { effort: null, summary: null };
  const { effort, summary } = reasoning as Record<string, unknown>;
  return { effort: effort ?? 'medium', summary: summary ?? null };
}

/**
 * The request's settings as a Response echoes them, with OpenAI's defaults for what was not sent
 * (`store` true, `temperature` and `top_p` 1, `tool_choice` "auto", `tools` [], `metadata` {},
 * text format "text", …). Tools are echoed as sent.
 */
export function echoedSettings(body: Record<string, unknown>): Record<string, unknown> {
  const text = typeof body.text === 'object' && body.text !== null ? body.text : {};
  const tier = body.service_tier;
  return {
    background: field(body, 'background', false),
    instructions: field(body, 'instructions', null),
    max_output_tokens: field(body, 'max_output_tokens', null),
    max_tool_calls: field(body, 'max_tool_calls', null),
    parallel_tool_calls: field(body, 'parallel_tool_calls', true),
    previous_response_id: field(body, 'previous_response_id', null),
    prompt_cache_key: field(body, 'prompt_cache_key', null),
    prompt_cache_retention: field(body, 'prompt_cache_retention', null),
    reasoning: reasoningSetting(body.reasoning),
    safety_identifier: field(body, 'safety_identifier', null),
    service_tier: typeof tier === 'string' && tier !== 'auto' ? tier : 'default',
    store: field(body, 'store', true),
    temperature: field(body, 'temperature', 1),
    text: { format: { type: 'text' }, verbosity: 'medium', ...text },
    tool_choice: field(body, 'tool_choice', 'auto'),
    tools: field(body, 'tools', []),
    top_logprobs: field(body, 'top_logprobs', 0),
    top_p: field(body, 'top_p', 1),
    truncation: field(body, 'truncation', 'disabled'),
    user: field(body, 'user', null),
    metadata: field(body, 'metadata', {}),
  };
}

/**
 * A Response object in the field order OpenAI sends (as in recorded answers): lifecycle fields,
 * then the settings echoed around `model`, `output` and `usage`.
 */
export function responseObject(meta: ResponseMeta, state: ResponseState): ResponseObject {
  const echo = meta.settings;
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: state.status,
    background: echo.background,
    billing: { payer: 'developer' },
    completed_at: state.status === 'completed' ? meta.createdAt : null,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason === undefined ? null : { reason: state.incompleteReason },
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: echo.max_tool_calls,
    model: meta.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    prompt_cache_key: echo.prompt_cache_key,
    prompt_cache_retention: echo.prompt_cache_retention,
    reasoning: echo.reasoning,
    safety_identifier: echo.safety_identifier,
    service_tier: echo.service_tier,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: echo.top_logprobs,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: state.usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** What a named event carries before it is numbered; `sequence_number` is filled in as it is sent (see `numberEvents`). */
const unnumbered = -1;

/**
 * One named server-sent event: `event: <type>` and `data: {"type": <type>, "sequence_number": …, …fields}`.
 * The number is a placeholder until `numberEvents` stamps the events in the order they are sent.
 */
export function responsesEvent(type: string, fields: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: unnumbered, ...fields })}\n\n`;
}

const placeholder = /^(data: \{"type":"[a-z_.]+","sequence_number":)-1(?=[,}])/gm;

/**
 * Stamps the placeholder sequence numbers in `chunk` with `next()`, event by event. Only the
 * number right after an event's `type` at the start of a `data:` line matches: text inside a
 * JSON string cannot, since its quotes are escaped.
 */
export function numberEvents(chunk: string, next: () => number): string {
  return chunk.replace(placeholder, (_, head: string) => `${head}${next()}`);
}

/** A deliberately broken event (`malformed-at`): a text delta whose JSON is cut off. */
export const responsesMalformed = 'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n';

/** The in-band failure OpenAI documents for `response.failed` when none is scripted. */
export const defaultFailure: ResponseFailure = { code: 'server_error', message: 'The model failed to generate a response.' };

/** An OpenAI `invalid_request_error` body naming the offending parameter. */
export function invalidRequest(message: string, param: string | null, code: string | null): OpenAIError {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

/** The body `bad-json` sends: a Response cut off mid-object. */
export function truncatedResponse(n: number): string {
  return `{"id":"resp_mock_${n}","object":"response","status":"completed","output":[{"id":"msg_mock_${n}","type":"message","content":[{"type":"output_text","text":`;
}
