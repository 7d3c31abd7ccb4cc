// An Anthropic Messages request in the internal shape, for a target of another protocol. Pure.
import { isObject, type Json, stringOr } from '../json.ts';
import { type ModelMessage, type ModelPart, type ModelRequest, UnsupportedRequest } from '../model.ts';
import { isUnknown } from '../tagged.ts';
import type { AnthropicBlock, MessagesRequest } from './schema.ts';

/** Top-level fields the translation carries; every other field is listed in `dropped`. */
const CARRIED = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
]);

// Blocks a server tool (web search, web fetch, code execution ...) put in an assistant turn: other
// vendors cannot run or read them, so the history carries them as text.
const SERVER_BLOCK = /^server_tool_use$|_tool_result$|^mcp_tool_use$/;

/**
 * Translates a parsed Messages request: `system` (and system messages among the turns) becomes the
 * system text, tool_result blocks tool
 * results, tool_use blocks tool calls, thinking reasoning (with its signature), images and PDFs
 * file parts; `output_config.format` becomes a JSON-schema output format and its `effort` the
 * reasoning effort. Custom tools are carried; server tools are left out (the model cannot call
 * them elsewhere; `dropped` says so). Blocks the proxy does not know throw UnsupportedRequest.
 */
export function messagesToModel(body: MessagesRequest, raw: Json): ModelRequest {
  const model: ModelRequest = {
    system: [],
    messages: [],
    tools: [],
    stream: body.stream === true,
    maxTokens: body.max_tokens,
    dropped: [],
  };
  if (typeof body.system === 'string') {
    if (body.system !== '') model.system.push({ type: 'text', text: body.system });
  } else if (body.system !== undefined) {
    for (const block of body.system) if (!isUnknown(block, 'type')) model.system.push(textPart(block));
  }
  for (const message of body.messages) {
    const parts =
      typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content.flatMap(partsOf);
    if (message.role === 'system') {
      // A mid-conversation system message: other protocols take instructions in one place.
      for (const part of parts) if (part.type === 'text') model.system.push(part);
      continue;
    }
    const last: ModelMessage | undefined = model.messages.at(-1);
    if (last?.role === message.role) last.parts.push(...parts);
    else model.messages.push({ role: message.role, parts });
  }
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (isUnknown(tool, 'type')) {
      model.dropped.push(`tools.${i} (${tool.name})`);
      continue;
    }
    const out: ModelRequest['tools'][number] = { name: tool.name, parameters: tool.input_schema };
    if (tool.description !== undefined) out.description = tool.description;
    model.tools.push(out);
  }
  const choice = body.tool_choice;
  if (choice !== undefined && !isUnknown(choice, 'type')) {
    model.toolChoice = choice.type === 'any' ? 'required' : choice.type === 'tool' ? { name: choice.name } : choice.type;
    if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) model.parallelToolCalls = false;
  }
  if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) model.stop = body.stop_sequences;
  if (body.temperature !== undefined) model.temperature = body.temperature;
  if (body.top_p !== undefined) model.topP = body.top_p;
  if (body.top_k !== undefined) model.topK = body.top_k;
  if (typeof body.metadata?.user_id === 'string') model.user = body.metadata.user_id;
  if (body.thinking !== undefined && !isUnknown(body.thinking, 'type') && body.thinking.type === 'enabled') {
    model.reasoning = { budgetTokens: body.thinking.budget_tokens };
  }
  outputConfig(model, body.output_config);
  for (const key of Object.keys(raw))
    if (!CARRIED.has(key) && raw[key] != null && !(key === 'metadata' && model.user !== undefined)) model.dropped.push(key);
  return model;
}

/** `output_config`: `effort` is a reasoning effort, `format` a JSON-schema output format; anything else is dropped. */
function outputConfig(model: ModelRequest, config: Json | undefined): void {
  if (config === undefined) return;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'effort' && typeof value === 'string') model.reasoning = { ...model.reasoning, effort: value };
    else if (key === 'format' && isObject(value) && value.type === 'json_schema' && isObject(value.schema)) {
      model.responseFormat = { type: 'json_schema', name: 'output', schema: value.schema };
    } else model.dropped.push(`output_config.${key}`);
  }
}

function textPart(block: Extract<AnthropicBlock, { type: 'text' }>): Extract<ModelPart, { type: 'text' }> {
  return block.cache_control == null
    ? { type: 'text', text: block.text }
    : { type: 'text', text: block.text, cacheControl: block.cache_control };
}

function partsOf(block: AnthropicBlock): ModelPart[] {
  if (isUnknown(block, 'type')) {
    if (SERVER_BLOCK.test(block.name)) return [{ type: 'text', text: serverBlockText(block.value) }];
    throw new UnsupportedRequest(`content blocks of type "${block.name}"`);
  }
  switch (block.type) {
    case 'text':
      return [textPart(block)];
    case 'image':
      if (isUnknown(block.source, 'type')) throw new UnsupportedRequest(`image sources of type "${block.source.name}"`);
      return [
        {
          type: 'image',
          url: block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url,
        },
      ];
    case 'document': {
      const source = block.source;
      if (isUnknown(source, 'type')) throw new UnsupportedRequest(`document sources of type "${source.name}"`);
      if (source.type === 'text') return [{ type: 'text', text: source.data }];
      return [{ type: 'file', data: `data:${source.media_type};base64,${source.data}`, filename: `${block.title ?? 'document'}.pdf` }];
    }
    case 'tool_use':
      return [{ type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(block.input) }];
    case 'tool_result': {
      const content = block.content ?? '';
      const parts: ModelPart[] =
        typeof content === 'string'
          ? [{ type: 'text', text: content }]
          : content.flatMap((b) => {
              if (isUnknown(b, 'type')) throw new UnsupportedRequest(`tool results holding blocks of type "${b.name}"`);
              return b.type === 'text' ? [textPart(b)] : partsOf(b);
            });
      return [{ type: 'tool-result', callId: block.tool_use_id, content: parts, ...(block.is_error === true ? { isError: true } : {}) }];
    }
    case 'thinking':
      return [
        block.signature
          ? { type: 'reasoning', text: block.thinking, signature: block.signature }
          : { type: 'reasoning', text: block.thinking },
      ];
    case 'redacted_thinking':
      return [{ type: 'redacted-reasoning', data: block.data }];
  }
}

/** A server tool's block as the text a vendor without that tool can read: its kind and what it held, shortened. */
function serverBlockText(block: Json): string {
  const name = stringOr(block.name) ?? stringOr(block.type) ?? 'server tool';
  const what = block.type === 'server_tool_use' || block.type === 'mcp_tool_use' ? `called ${name} with` : `${name}:`;
  const detail = JSON.stringify(block.input ?? block.content ?? {});
  return `[${what} ${detail.length > 2000 ? `${detail.slice(0, 2000)}…` : detail}]`;
}
