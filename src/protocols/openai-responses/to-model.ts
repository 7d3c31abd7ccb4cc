// A Responses request in the internal shape, for a Chat Completions or Anthropic target. Pure.
import { type Json, stringOr } from '../json.ts';
import { type ModelMessage, type ModelPart, type ModelRequest, UnsupportedRequest } from '../model.ts';
import { isUnknown, type Unknown } from '../tagged.ts';
import { readTaggedReasoning } from './response-object.ts';
import type { ResponsesItem, ResponsesPart, ResponsesRequest } from './schema.ts';
import { addTools, type ToolNames, toolChoice, toolNamesOf } from './tool-names.ts';

/** Top-level fields the translation carries (or refuses, or the proxy serves itself: `store`, `metadata`); every other field is listed in `dropped`. */
const CARRIED = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'stream',
  'store',
  'metadata',
  'previous_response_id',
  'max_output_tokens',
  'include',
  'reasoning',
  'text',
  'temperature',
  'top_p',
  'top_logprobs',
  'user',
  'safety_identifier',
  'conversation',
  'prompt',
]);

/** Items written by a built-in tool (web search, code interpreter, shell, MCP ...): other vendors get them as text. */
const BUILT_IN_ITEM = /_call$|_call_output$|^mcp_/;

/** The `include` entry whose effect translation always gives (Anthropic reasoning is tagged in `encrypted_content`). */
const ENCRYPTED_REASONING = 'reasoning.encrypted_content';

/**
 * Thinking budgets for a reasoning effort, for vendors that take a budget (Anthropic): the effort a
 * Responses caller asks for becomes extended thinking there (capped below the output limit).
 */
const EFFORT_BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16_384, xhigh: 32_768 };

/** The reasoning asked for: the effort, and the thinking budget it amounts to (none for `minimal` or `none`). */
function reasoningOf(effort: string): NonNullable<ModelRequest['reasoning']> {
  const budget = EFFORT_BUDGETS[effort];
  return budget === undefined ? { effort } : { effort, budgetTokens: budget };
}

/**
 * Translates a parsed Responses request: `instructions` and system/developer messages become the
 * system text, `function_call` and `custom_tool_call` items tool calls (named as `toolNamesOf`
 * flattens them), their outputs tool results in user turns, reasoning items reasoning (an Anthropic
 * signature or redacted thinking read back from its tag), built-in tool items text. What needs
 * the vendor's own state or output another protocol cannot give throws UnsupportedRequest:
 * `previous_response_id` (not expanded by the proxy), `conversation`, `prompt`, `item_reference`,
 * logprobs, unknown items and parts.
 */
export function responsesToModel(body: ResponsesRequest, raw: Json): ModelRequest {
  if (body.previous_response_id != null) throw new UnsupportedRequest("previous_response_id (the vendor's stored conversation)");
  if (raw.conversation != null) throw new UnsupportedRequest("conversation (the vendor's stored conversation)");
  if (raw.prompt != null) throw new UnsupportedRequest("prompt (the vendor's stored prompt template)");
  if ((body.top_logprobs ?? 0) > 0 || body.include?.includes('message.output_text.logprobs') === true)
    throw new UnsupportedRequest('logprobs');
  const names = toolNamesOf(raw);
  const model: ModelRequest = { system: [], messages: [], tools: [], stream: body.stream === true, dropped: [] };
  if (body.instructions != null && body.instructions !== '') model.system.push({ type: 'text', text: body.instructions });
  const input = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : (body.input ?? []);
  for (const item of input) addItem(model, item, names);
  addTools(model, body.tools ?? [], names);
  if (body.tool_choice != null) toolChoice(model, body.tool_choice, names);
  if (body.parallel_tool_calls != null) model.parallelToolCalls = body.parallel_tool_calls;
  if (body.max_output_tokens != null) model.maxTokens = body.max_output_tokens;
  if (body.temperature != null) model.temperature = body.temperature;
  if (body.top_p != null) model.topP = body.top_p;
  const user = body.safety_identifier ?? body.user;
  if (user != null) model.user = user;
  if (body.reasoning?.effort != null) model.reasoning = reasoningOf(body.reasoning.effort);
  if (body.reasoning?.summary != null) model.dropped.push('reasoning.summary');
  outputFormat(model, body.text);
  for (const entry of body.include ?? []) if (entry !== ENCRYPTED_REASONING) model.dropped.push(`include.${entry}`);
  for (const key of Object.keys(raw)) if (!CARRIED.has(key) && raw[key] != null) model.dropped.push(key);
  return model;
}

/** `text.format` as the output format; `text.verbosity` has no equivalent elsewhere. */
function outputFormat(model: ModelRequest, text: ResponsesRequest['text']): void {
  if (text?.verbosity != null) model.dropped.push('text.verbosity');
  const format = text?.format;
  if (format == null) return;
  if (isUnknown(format, 'type')) model.dropped.push(`text.format (${format.name})`);
  else if (format.type === 'json_object') model.responseFormat = { type: 'json_object' };
  else if (format.type === 'json_schema') {
    const { name, schema, strict } = format;
    model.responseFormat = { type: 'json_schema', name, schema, ...(strict != null ? { strict } : {}) };
  }
}

/** Appends a turn, merging it into the previous one of the same role. */
function push(messages: ModelMessage[], role: ModelMessage['role'], parts: ModelPart[]): void {
  if (parts.length === 0) return;
  const last = messages.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

function addItem(model: ModelRequest, item: ResponsesItem, names: ToolNames): void {
  if (isUnknown(item, 'type')) {
    if (!BUILT_IN_ITEM.test(item.name)) throw new UnsupportedRequest(`input items of type "${item.name}"`);
    const role = /_output$|_response$/.test(item.name) ? 'user' : 'assistant';
    push(model.messages, role, [{ type: 'text', text: builtInText(item.name, item.value) }]);
    return;
  }
  switch (item.type) {
    case undefined:
    case 'message':
      if (item.role === 'system' || item.role === 'developer') model.system.push(...systemParts(item.content));
      else push(model.messages, item.role, contentParts(item.content, item.role));
      return;
    case 'function_call':
      push(model.messages, 'assistant', [
        { type: 'tool-call', id: item.call_id, name: names.flat(item.name, item.namespace), arguments: item.arguments },
      ]);
      return;
    case 'custom_tool_call': {
      const args = JSON.stringify({ input: item.input });
      push(model.messages, 'assistant', [
        { type: 'tool-call', id: item.call_id, name: names.flat(item.name, item.namespace), arguments: args },
      ]);
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output':
      push(model.messages, 'user', [{ type: 'tool-result', callId: item.call_id, content: contentParts(item.output, 'user') }]);
      return;
    case 'reasoning':
      push(model.messages, 'assistant', reasoningParts(item, model.dropped));
      return;
    case 'item_reference':
      throw new UnsupportedRequest("item_reference (the vendor's stored items)");
  }
}

/**
 * A reasoning item: its summary (else its reasoning text) as reasoning, with the Anthropic
 * signature or redacted thinking its `encrypted_content` carries when the proxy tagged it there.
 * Another vendor's encrypted reasoning only that vendor can read: it is left out (`dropped`).
 */
function reasoningParts(item: Extract<ResponsesItem, { type: 'reasoning' }>, dropped: string[]): ModelPart[] {
  const text = joined(item.summary) || joined(item.content);
  if (item.encrypted_content != null && item.encrypted_content !== '') {
    const tagged = readTaggedReasoning(item.encrypted_content);
    if (tagged.kind === 'thinking') return [{ type: 'reasoning', text, signature: tagged.signature }];
    if (tagged.kind === 'redacted') return [{ type: 'redacted-reasoning', data: tagged.data }];
    if (!dropped.includes(ENCRYPTED_REASONING)) dropped.push(ENCRYPTED_REASONING);
  }
  return text === '' ? [] : [{ type: 'reasoning', text }];
}

/** The text of summary or reasoning text parts, joined by blank lines (one summary part round-trips exactly). */
function joined(parts: readonly ({ text: string } | Unknown<'type'>)[] | null | undefined): string {
  return (parts ?? []).flatMap((part) => (isUnknown(part, 'type') ? [] : [part.text])).join('\n\n');
}

/** A built-in tool's item as text a vendor without that tool can read: its kind and what it held, shortened. */
function builtInText(type: string, item: Json): string {
  const { type: _type, id: _id, ...rest } = item;
  const detail = JSON.stringify(rest);
  return `[${type}] ${detail.length > 2000 ? `${detail.slice(0, 2000)}…` : detail}`;
}

type Content = string | ResponsesPart[];

function systemParts(content: Content): Extract<ModelPart, { type: 'text' }>[] {
  return contentParts(content, 'system').flatMap((part) => (part.type === 'text' ? [part] : []));
}

/** A message's (or a tool output's) content. Images and files are user content; a system or assistant message holds text only. */
function contentParts(content: Content, role: 'user' | 'assistant' | 'system'): ModelPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part): ModelPart[] => {
    if (isUnknown(part, 'type')) throw new UnsupportedRequest(`content parts of type "${part.name}"`);
    if (part.type === 'input_text' || part.type === 'output_text') return part.text === '' ? [] : [{ type: 'text', text: part.text }];
    if (part.type === 'refusal') return [{ type: 'text', text: part.refusal }];
    if (role !== 'user') throw new UnsupportedRequest(`${part.type} parts in ${role} messages`);
    if (part.type === 'input_image') {
      if (part.image_url == null) return [{ type: 'file', fileId: part.file_id ?? '' }];
      return [part.detail == null ? { type: 'image', url: part.image_url } : { type: 'image', url: part.image_url, detail: part.detail }];
    }
    if (part.file_data == null && part.file_id == null) throw new UnsupportedRequest('input_file by file_url');
    const file: ModelPart = { type: 'file' };
    if (part.file_data != null) file.data = part.file_data;
    if (part.file_id != null) file.fileId = part.file_id;
    const filename = stringOr(part.filename);
    if (filename !== undefined) file.filename = filename;
    return [file];
  });
}
