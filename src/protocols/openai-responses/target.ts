// Responses API targets (`providers.<id>.responses`): Responses requests as the caller wrote them, or translated, with a Bearer key.
import type { ResolvedTarget } from '../../config/load.ts';
import type { CallerRequest, TargetAdapter, TargetCall } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import { type ModelMessage, type ModelPart, type ModelRequest, UnsupportedRequest } from '../model.ts';
import { responseToModel } from './answer.ts';
import { inputItemsOf } from './caller.ts';
import { responsesDecoder } from './events-in.ts';
import { isForeignReasoning } from './response-object.ts';

function headers(key: string | undefined, target: ResolvedTarget): Record<string, string> {
  return { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...target.provider.headers };
}

/**
 * The caller's body for the target: its `model`, an output limit when the caller set none
 * (`limit`), and without the reasoning items another vendor wrote (Anthropic thinking the proxy
 * tagged, reasoning the proxy translated from another protocol): an OpenAI vendor refuses
 * encrypted reasoning or a reasoning id it did not write; `dropped` counts them. Everything else as sent.
 */
function passthrough(request: CallerRequest, target: ResolvedTarget, key: string | undefined, limit: number | undefined): TargetCall {
  const body: Json = { ...request.body, model: target.model };
  if (limit !== undefined && body.max_output_tokens == null) body.max_output_tokens = limit;
  const call: TargetCall = { url: `${target.provider.baseUrl}/responses`, headers: headers(key, target), body, mode: 'passthrough' };
  if (Array.isArray(body.input)) {
    const kept = body.input.filter((item) => !isForeignReasoning(item));
    const removed = body.input.length - kept.length;
    if (removed > 0) {
      body.input = kept;
      call.dropped = [`input reasoning items written by other vendors (${removed})`];
    }
  }
  return call;
}

/**
 * The internal request as a Responses body, so a Chat Completions or Anthropic caller can use a
 * vendor that speaks only the Responses API: the system text as `instructions`, turns as easy
 * `{role, content}` messages, tool calls as `function_call` items and tool results as
 * `function_call_output` items, tools as non-strict functions unless they say otherwise (the
 * Responses API makes them strict by default, which refuses many schemas), `store: false` (the
 * proxy keeps nothing at the vendor for a caller that cannot refer to it). Reasoning another
 * vendor wrote cannot be given back and is left out. Stop sequences have no Responses equivalent:
 * UnsupportedRequest.
 */
export function modelToResponses(request: ModelRequest, options: { model: string; maxTokens: number | undefined }): Json {
  if (request.stop !== undefined && request.stop.length > 0) throw new UnsupportedRequest('stop sequences');
  const body: Json = { model: options.model };
  const instructions = request.system.map((part) => part.text).join('\n\n');
  if (instructions !== '') body.instructions = instructions;
  body.input = request.messages.flatMap((message) => (message.role === 'user' ? userItems(message) : assistantItems(message)));
  body.store = false;
  const maxTokens = request.maxTokens ?? options.maxTokens;
  if (maxTokens !== undefined) body.max_output_tokens = maxTokens;
  if (request.stream) body.stream = true;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.user !== undefined) body.safety_identifier = request.user;
  if (request.reasoning?.effort !== undefined) body.reasoning = { effort: request.reasoning.effort };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: Json = { type: 'function', name: tool.name, parameters: tool.parameters, strict: tool.strict ?? false };
      if (tool.description !== undefined) fn.description = tool.description;
      return fn;
    });
    const choice = request.toolChoice;
    if (choice !== undefined) body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const format = request.responseFormat;
  if (format?.type === 'json_object') body.text = { format: { type: 'json_object' } };
  else if (format?.type === 'json_schema') {
    const out: Json = { type: 'json_schema', name: format.name, schema: format.schema };
    if (format.strict !== undefined) out.strict = format.strict;
    body.text = { format: out };
  }
  return body;
}

/** A user turn: its tool results as `function_call_output` items first, then its own parts as one message. */
function userItems(message: ModelMessage): Json[] {
  const items: Json[] = [];
  const content: Json[] = [];
  for (const part of message.parts) {
    if (part.type !== 'tool-result') {
      const converted = inputPart(part);
      if (converted !== undefined) content.push(converted);
      continue;
    }
    const parts = part.content.flatMap((p) => inputPart(p) ?? []);
    const text = part.content.every((p) => p.type === 'text')
      ? part.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n')
      : undefined;
    const output = text === undefined ? parts : part.isError === true ? `Error: ${text}` : text;
    items.push({ type: 'function_call_output', call_id: part.callId, output });
  }
  if (content.length === 1 && content[0]?.type === 'input_text') items.push({ role: 'user', content: content[0].text });
  else if (content.length > 0) items.push({ role: 'user', content });
  return items;
}

function inputPart(part: ModelPart): Json | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: part.url, detail: part.detail ?? 'auto' };
    case 'file': {
      const file: Json = { type: 'input_file' };
      if (part.data !== undefined) file.file_data = part.data;
      if (part.fileId !== undefined) file.file_id = part.fileId;
      if (part.filename !== undefined) file.filename = part.filename;
      return file;
    }
    default:
      // Reasoning and tool calls belong to assistant turns.
      return undefined;
  }
}

/** An assistant turn in order: each run of text one message, each tool call a `function_call` item. */
function assistantItems(message: ModelMessage): Json[] {
  const items: Json[] = [];
  let text: string | undefined;
  const flush = (): void => {
    if (text !== undefined && text !== '') items.push({ role: 'assistant', content: text });
    text = undefined;
  };
  for (const part of message.parts) {
    if (part.type === 'text') text = (text ?? '') + part.text;
    else if (part.type === 'tool-call') {
      flush();
      items.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments });
    }
  }
  flush();
  return items;
}

/** What the internal request holds that a Responses target is not sent (see `modelToResponses`), by name. */
export function notSentToResponses(request: ModelRequest): string[] {
  const out: string[] = [];
  if (request.topK !== undefined) out.push('top_k');
  if (request.seed !== undefined) out.push('seed');
  if (request.presencePenalty !== undefined) out.push('presence_penalty');
  if (request.frequencyPenalty !== undefined) out.push('frequency_penalty');
  if (request.reasoning?.budgetTokens !== undefined && request.reasoning.effort === undefined) out.push('thinking');
  const reasoning = request.messages.some((m) => m.parts.some((p) => p.type === 'reasoning' || p.type === 'redacted-reasoning'));
  if (reasoning) out.push('reasoning history');
  return out;
}

/** The text of an assistant message that holds only text (a prefill), else undefined. */
function prefillText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((p) =>
    isObject(p) && (p.type === 'output_text' || p.type === 'input_text') && typeof p.text === 'string' ? p.text : undefined,
  );
  return texts.every((t) => t !== undefined) ? texts.join('') : undefined;
}

/**
 * The same call asking the vendor to continue `text` as its own answer: an assistant message
 * holding it appended to `input` (to one the input already ends with). Only used for a target a
 * user marks `prefill`: OpenAI itself does not continue a trailing assistant message.
 */
function continuation(call: TargetCall, text: string): TargetCall & { trimmed: boolean } {
  const input = inputItemsOf(call.body);
  const last = input.at(-1);
  let prefix = text;
  const before = last?.role === 'assistant' && last.type === 'message' ? prefillText(last.content) : undefined;
  if (before !== undefined) {
    input.pop();
    prefix = before + text;
  }
  if (prefix !== '') input.push({ role: 'assistant', content: prefix });
  return { ...call, body: { ...call.body, input, stream: true }, trimmed: false };
}

/** The `openai-responses` target protocol: vendors that serve `/responses`. */
export const responsesTarget: TargetAdapter = {
  native: ['openai-responses'],
  prefillByDefault: false,
  passthrough,
  translate(request, target, key, limit) {
    const body = modelToResponses(request, { model: target.model, maxTokens: limit });
    const dropped = [...request.dropped, ...notSentToResponses(request)];
    return { url: `${target.provider.baseUrl}/responses`, headers: headers(key, target), body, mode: 'translate', dropped };
  },
  continuation,
  decodeAnswer: responseToModel,
  eventDecoder: () => responsesDecoder(),
};
