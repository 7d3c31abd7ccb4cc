// A Chat Completions request in the internal shape, for a target of another protocol. Pure.
import { isObject, type Json } from '../json.ts';
import { type ModelMessage, type ModelPart, type ModelRequest, type ModelTool, UnsupportedRequest } from '../model.ts';
import { isUnknown } from '../tagged.ts';
import type { ChatMessage, ChatRequest } from './schema.ts';

/** Top-level fields the translation carries (or refuses); every other field is listed in `dropped`. */
const CARRIED = new Set([
  'model',
  'messages',
  'stream',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'n',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'user',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'logprobs',
  'modalities',
  'audio',
  'functions',
  'function_call',
]);

/**
 * Translates a parsed Chat Completions request: system and developer messages become the system
 * text, `tool` messages tool results in user turns, `tool_calls` tool calls, `reasoning_content`
 * reasoning. What another protocol cannot express throws UnsupportedRequest: several choices,
 * logprobs, audio, legacy functions, message roles and parts the proxy does not know.
 */
export function chatToModel(body: ChatRequest, raw: Json): ModelRequest {
  if ((body.n ?? 1) > 1) throw new UnsupportedRequest('n > 1 (several choices)');
  if (body.logprobs === true) throw new UnsupportedRequest('logprobs');
  if (body.modalities?.includes('audio') === true || body.audio != null) throw new UnsupportedRequest('audio output');
  if (body.functions != null || body.function_call != null) throw new UnsupportedRequest('legacy functions (use tools)');
  const model: ModelRequest = { system: [], messages: [], tools: [], stream: body.stream === true, dropped: [] };
  for (const message of body.messages) addMessage(model, message);
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (isUnknown(tool, 'type')) model.dropped.push(`tools.${i} (${tool.name})`);
    else model.tools.push(toolOf(tool.function));
  }
  const choice = body.tool_choice;
  if (choice === 'auto' || choice === 'none' || choice === 'required') model.toolChoice = choice;
  else if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string')
    model.toolChoice = { name: choice.function.name };
  if (body.parallel_tool_calls != null) model.parallelToolCalls = body.parallel_tool_calls;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) model.maxTokens = maxTokens;
  if (body.temperature != null) model.temperature = body.temperature;
  if (body.top_p != null) model.topP = body.top_p;
  if (body.top_k != null) model.topK = body.top_k;
  if (body.stop != null) model.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) model.seed = body.seed;
  if (body.presence_penalty != null) model.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) model.frequencyPenalty = body.frequency_penalty;
  if (body.user != null) model.user = body.user;
  if (body.reasoning_effort != null) model.reasoning = { effort: body.reasoning_effort };
  const format = body.response_format;
  if (format != null && !isUnknown(format, 'type')) {
    if (format.type === 'json_object') model.responseFormat = { type: 'json_object' };
    else if (format.type === 'json_schema') {
      const { name, schema, strict } = format.json_schema;
      model.responseFormat = { type: 'json_schema', name: name ?? 'output', schema: schema ?? {}, ...(strict != null ? { strict } : {}) };
    }
  } else if (format != null) model.dropped.push(`response_format (${format.name})`);
  for (const key of Object.keys(raw)) if (!CARRIED.has(key) && raw[key] != null) model.dropped.push(key);
  return model;
}

function toolOf(fn: {
  name: string;
  description?: string | undefined;
  parameters?: Json | undefined;
  strict?: boolean | null | undefined;
}): ModelTool {
  const tool: ModelTool = { name: fn.name, parameters: fn.parameters ?? { type: 'object', properties: {} } };
  if (fn.description !== undefined) tool.description = fn.description;
  if (fn.strict != null) tool.strict = fn.strict;
  return tool;
}

function addMessage(model: ModelRequest, message: ChatMessage): void {
  if (isUnknown(message, 'role')) throw new UnsupportedRequest(`messages with role "${message.name}"`);
  switch (message.role) {
    case 'system':
    case 'developer':
      model.system.push(...textParts(message.content));
      return;
    case 'user':
      push(model.messages, 'user', userParts(message.content));
      return;
    case 'tool':
      push(model.messages, 'user', [{ type: 'tool-result', callId: message.tool_call_id, content: textParts(message.content) }]);
      return;
    case 'function':
      throw new UnsupportedRequest('legacy functions (use tools)');
    case 'assistant':
      push(model.messages, 'assistant', assistantParts(message));
      return;
  }
}

/** Appends a turn, merging it into the previous one of the same role. */
function push(messages: ModelMessage[], role: ModelMessage['role'], parts: ModelPart[]): void {
  const last = messages.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

type TextContent = Extract<ChatMessage, { role: 'system' }>['content'];

function textParts(content: TextContent): Extract<ModelPart, { type: 'text' }>[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part) => {
    if (isUnknown(part, 'type')) throw new UnsupportedRequest(`content parts of type "${part.name}"`);
    if (part.text === '') return [];
    return [
      part.cache_control === undefined
        ? { type: 'text' as const, text: part.text }
        : { type: 'text' as const, text: part.text, cacheControl: part.cache_control },
    ];
  });
}

function userParts(content: Extract<ChatMessage, { role: 'user' }>['content']): ModelPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.flatMap((part): ModelPart[] => {
    if (isUnknown(part, 'type')) throw new UnsupportedRequest(`content parts of type "${part.name}"`);
    switch (part.type) {
      case 'text':
        return textParts([part]);
      case 'image_url':
        return [
          part.image_url.detail === undefined
            ? { type: 'image', url: part.image_url.url }
            : { type: 'image', url: part.image_url.url, detail: part.image_url.detail },
        ];
      case 'file': {
        const file: ModelPart = { type: 'file' };
        if (part.file.file_data !== undefined) file.data = part.file.file_data;
        if (part.file.file_id !== undefined) file.fileId = part.file.file_id;
        if (part.file.filename !== undefined) file.filename = part.file.filename;
        return [file];
      }
      default:
        throw new UnsupportedRequest('audio input');
    }
  });
}

function assistantParts(message: Extract<ChatMessage, { role: 'assistant' }>): ModelPart[] {
  if (message.function_call != null) throw new UnsupportedRequest('legacy functions (use tools)');
  const parts: ModelPart[] = [];
  if (message.reasoning_content) parts.push({ type: 'reasoning', text: message.reasoning_content });
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    for (const part of content) {
      if (isUnknown(part, 'type')) throw new UnsupportedRequest(`content parts of type "${part.name}"`);
      const text = part.type === 'text' ? part.text : part.refusal;
      if (text !== '') parts.push({ type: 'text', text });
    }
  }
  for (const call of message.tool_calls ?? []) {
    if (isUnknown(call, 'type')) throw new UnsupportedRequest(`tool calls of type "${call.name}"`);
    parts.push({ type: 'tool-call', id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return parts;
}
