// The Response object of the OpenAI Responses API written from the internal shape: its envelope, output items, usage and status.
import { isObject, type Json } from '../json.ts';
import type { FinishReason, ModelPart, Usage } from '../model.ts';

/** A Response's lifecycle state, as its `status` field says. */
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/**
 * Reasoning written by an Anthropic vendor travels in a reasoning item's `encrypted_content`, tagged
 * so a later turn can give it back to an Anthropic target intact and never to another vendor (an
 * OpenAI vendor would refuse a signature it did not write): `anthropic.thinking:<signature>` for a
 * thinking block (its text is the item's summary), `anthropic.redacted:<data>` for redacted thinking.
 */
const THINKING_TAG = 'anthropic.thinking:';
const REDACTED_TAG = 'anthropic.redacted:';

/** The `encrypted_content` carrying an Anthropic signature or redacted thinking. */
export function taggedReasoning(part: Extract<ModelPart, { type: 'reasoning' | 'redacted-reasoning' }>): string | undefined {
  if (part.type === 'redacted-reasoning') return REDACTED_TAG + part.data;
  return part.signature === undefined ? undefined : THINKING_TAG + part.signature;
}

/** What a reasoning item's `encrypted_content` holds: an Anthropic signature or redacted data the proxy tagged, else the vendor's own blob. */
export function readTaggedReasoning(
  encrypted: string,
): { kind: 'thinking'; signature: string } | { kind: 'redacted'; data: string } | { kind: 'foreign' } {
  if (encrypted.startsWith(THINKING_TAG)) return { kind: 'thinking', signature: encrypted.slice(THINKING_TAG.length) };
  if (encrypted.startsWith(REDACTED_TAG)) return { kind: 'redacted', data: encrypted.slice(REDACTED_TAG.length) };
  return { kind: 'foreign' };
}

/**
 * Reasoning items the proxy writes (from another protocol's reasoning) carry this id prefix, so a
 * later turn sent to a Responses-native vendor can leave them out: the vendor would look an id of
 * its own shape up in its store and refuse the request when it is not there.
 */
const PROXY_REASONING_PREFIX = 'rs_proxy_';

/** A fresh id with OpenAI's prefixes (`resp`, `msg`, `fc`, `rs`), 48 hex digits like the vendor's; reasoning ids are marked as the proxy's. */
export function newId(prefix: 'resp' | 'msg' | 'fc' | 'rs' | 'call'): string {
  const hex = `${crypto.randomUUID().replaceAll('-', '')}${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return prefix === 'rs' ? PROXY_REASONING_PREFIX + hex : `${prefix}_${hex}`;
}

/** Whether an input item is reasoning a Responses-native vendor did not write: the proxy's own, or Anthropic thinking it tagged. */
export function isForeignReasoning(item: unknown): boolean {
  if (!isObject(item) || item.type !== 'reasoning') return false;
  if (typeof item.id === 'string' && item.id.startsWith(PROXY_REASONING_PREFIX)) return true;
  return typeof item.encrypted_content === 'string' && readTaggedReasoning(item.encrypted_content).kind !== 'foreign';
}

/** The Response id of an answer: its own when it is one (`resp_…`), else a fresh one (an id of another protocol, `chatcmpl-…`, `msg_…`). */
export function responseIdOf(id: string | undefined): string {
  if (id?.startsWith('resp_')) return id;
  return newId('resp');
}

/** Usage in the Responses API's terms. */
export function responseUsage(usage: Usage): Json {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** A Response's `usage` in the proxy's terms; undefined when it has none. */
export function usageOfResponse(value: unknown): Usage | undefined {
  if (!isObject(value) || !isObject(value.usage)) return undefined;
  const u = value.usage;
  const input = typeof u.input_tokens === 'number' ? u.input_tokens : 0;
  const output = typeof u.output_tokens === 'number' ? u.output_tokens : 0;
  const usage: Usage = {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: typeof u.total_tokens === 'number' ? u.total_tokens : input + output,
  };
  const cached = isObject(u.input_tokens_details) ? u.input_tokens_details.cached_tokens : undefined;
  if (typeof cached === 'number' && cached > 0) usage.cached_tokens = cached;
  const reasoning = isObject(u.output_tokens_details) ? u.output_tokens_details.reasoning_tokens : undefined;
  if (typeof reasoning === 'number' && reasoning > 0) usage.reasoning_tokens = reasoning;
  return usage;
}

/** `status` and `incomplete_details` of an answer that ended for `finish`. */
export function statusOf(finish: FinishReason): { status: ResponseStatus; incomplete_details: Json | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** The output items of an answer's parts: consecutive text as one assistant message, each tool call a `function_call`, reasoning a `reasoning` item. */
export function outputItems(parts: readonly ModelPart[]): Json[] {
  const items: Json[] = [];
  let message: Json[] | undefined;
  for (const part of parts) {
    if (part.type === 'text') {
      if (message === undefined) {
        message = [];
        items.push(messageItem(newId('msg'), message, 'completed'));
      }
      message.push(outputText(part.text));
      continue;
    }
    message = undefined;
    if (part.type === 'tool-call') items.push(functionCallItem(newId('fc'), part.id, part.name, part.arguments, 'completed'));
    else if (part.type === 'reasoning' || part.type === 'redacted-reasoning') items.push(reasoningItem(newId('rs'), part));
  }
  return items;
}

/** An `output_text` content part. */
export function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** An assistant `message` output item. */
export function messageItem(id: string, content: Json[], status: 'in_progress' | 'completed' | 'incomplete'): Json {
  return { id, type: 'message', status, role: 'assistant', content };
}

/** A `function_call` output item. */
export function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: 'in_progress' | 'completed' | 'incomplete',
): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** A `reasoning` output item: shown reasoning as its summary, a signature or redacted data tagged in `encrypted_content`. */
export function reasoningItem(id: string, part: Extract<ModelPart, { type: 'reasoning' | 'redacted-reasoning' }>): Json {
  const item: Json = { id, type: 'reasoning', summary: part.type === 'reasoning' && part.text !== '' ? [summaryText(part.text)] : [] };
  const encrypted = taggedReasoning(part);
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  return item;
}

/** A reasoning item's `summary_text` part. */
export function summaryText(text: string): Json {
  return { type: 'summary_text', text };
}

/** Request fields a Response echoes, with OpenAI's defaults for those the request left out. */
const ECHOED: readonly [field: string, fallback: Json[string]][] = [
  ['instructions', null],
  ['max_output_tokens', null],
  ['max_tool_calls', null],
  ['parallel_tool_calls', true],
  ['previous_response_id', null],
  ['prompt_cache_key', null],
  ['reasoning', { effort: null, summary: null }],
  ['safety_identifier', null],
  ['service_tier', 'default'],
  ['store', true],
  ['temperature', 1],
  ['text', { format: { type: 'text' } }],
  ['tool_choice', 'auto'],
  ['tools', []],
  ['top_logprobs', 0],
  ['top_p', 1],
  ['truncation', 'disabled'],
  ['user', null],
  ['metadata', {}],
];

/** What the whole Response says besides the request's echo. */
export interface ResponseFacts {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  model: string;
  status: ResponseStatus;
  output: Json[];
  usage: Usage | undefined;
  incompleteDetails?: Json | null;
  /** Set on a `failed` Response: `{code, message}`. */
  error?: Json | null;
}

/**
 * A Response object as OpenAI writes it: id, status, the output items, usage, and the request's
 * settings echoed (`request` is the caller's Responses body; the echo of another protocol's request
 * is OpenAI's defaults).
 */
export function responseObject(facts: ResponseFacts, request: Json | undefined): Json {
  const response: Json = {
    id: facts.id,
    object: 'response',
    created_at: facts.createdAt,
    status: facts.status,
    background: false,
    error: facts.error ?? null,
    incomplete_details: facts.incompleteDetails ?? null,
  };
  for (const [field, fallback] of ECHOED) {
    if (field === 'metadata' || field === 'store') continue;
    const value = request?.[field];
    response[field] = value === undefined || (value === null && fallback !== null) ? fallback : value;
    if (field === 'max_output_tokens') response.model = facts.model;
  }
  response.output = facts.output;
  response.usage = facts.usage === undefined ? null : responseUsage(facts.usage);
  response.store = request?.store !== false;
  response.metadata = isObject(request?.metadata) ? request.metadata : {};
  return response;
}

/** The text of a Response's output messages, joined (what the SDKs call `output_text`). */
export function outputTextOf(output: readonly unknown[]): string {
  let text = '';
  for (const item of output) {
    if (!isObject(item) || item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (isObject(part) && part.type === 'output_text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}
