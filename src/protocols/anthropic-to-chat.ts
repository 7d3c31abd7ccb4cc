// An inbound Anthropic Messages request turned into the one internal chat shape (OpenAI Chat Completions).
import type { AnthropicBlock, AnthropicMessage, MessagesRequest } from './anthropic-schema.ts';
import type { ChatRequest, OpenAIMessage } from './openai-schema.ts';

/** Anthropic-only parameters: sent to Anthropic-protocol targets, never to OpenAI-compatible ones. */
export interface AnthropicExtras {
  top_k?: number;
  thinking?: MessagesRequest['thinking'];
  service_tier?: MessagesRequest['service_tier'];
}

/** The internal request and what only Anthropic targets can take. */
export interface TranslatedRequest {
  body: ChatRequest;
  extras: AnthropicExtras;
}

type UserPart = Exclude<Extract<OpenAIMessage, { role: 'user' }>['content'], string>[number];

/**
 * Translates a validated Messages request: `system` becomes a system message, tool results become
 * `tool` messages, tool_use blocks become `tool_calls`, images become `image_url` parts (data URLs
 * for base64), PDFs become `file` parts, thinking becomes `reasoning_content`. Pure.
 */
export function anthropicToChat(request: MessagesRequest): TranslatedRequest {
  const messages: OpenAIMessage[] = [];
  if (request.system !== undefined) {
    const content = typeof request.system === 'string' ? request.system : request.system.map(textPart);
    messages.push({ role: 'system', content });
  }
  for (const message of request.messages) messages.push(...translateMessage(message));
  const body: ChatRequest = { model: request.model, messages, max_tokens: request.max_tokens };
  if (request.stream === true) body.stream = true;
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) body.stop = request.stop_sequences;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (typeof request.metadata?.user_id === 'string') body.user = request.metadata.user_id;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.input_schema,
      },
    }));
  }
  const choice = request.tool_choice;
  if (choice !== undefined) {
    body.tool_choice =
      choice.type === 'auto'
        ? 'auto'
        : choice.type === 'any'
          ? 'required'
          : choice.type === 'none'
            ? 'none'
            : { type: 'function', function: { name: choice.name } };
    if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) body.parallel_tool_calls = false;
  }
  const extras: AnthropicExtras = {};
  if (request.top_k !== undefined) extras.top_k = request.top_k;
  if (request.thinking !== undefined) extras.thinking = request.thinking;
  if (request.service_tier !== undefined) extras.service_tier = request.service_tier;
  return { body, extras };
}

function translateMessage(message: AnthropicMessage): OpenAIMessage[] {
  if (typeof message.content === 'string') {
    return [message.role === 'user' ? { role: 'user', content: message.content } : { role: 'assistant', content: message.content }];
  }
  return message.role === 'user' ? userMessages(message.content) : [assistantMessage(message.content)];
}

/** Tool results first (each its own `tool` message, as OpenAI expects), then the user's own parts. */
function userMessages(blocks: AnthropicBlock[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const parts: UserPart[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      const content = block.content ?? '';
      const text = typeof content === 'string' ? content : content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error === true ? `Error: ${text}` : text });
      if (typeof content !== 'string') for (const b of content) if (b.type === 'image') parts.push(imagePart(b));
      continue;
    }
    const part = userPart(block);
    if (part !== undefined) parts.push(part);
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function userPart(block: AnthropicBlock): UserPart | undefined {
  switch (block.type) {
    case 'text':
      return textPart(block);
    case 'image':
      return imagePart(block);
    case 'document':
      if (block.source.type === 'text') return { type: 'text', text: block.source.data };
      return {
        type: 'file',
        file: { file_data: `data:${block.source.media_type};base64,${block.source.data}`, filename: `${block.title ?? 'document'}.pdf` },
      };
    default:
      // tool_use and thinking blocks belong to assistant turns; a user turn carrying them has nothing to say.
      return undefined;
  }
}

function assistantMessage(blocks: AnthropicBlock[]): OpenAIMessage {
  const text = blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  const reasoning = blocks.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join('');
  const calls = blocks.flatMap((b) =>
    b.type === 'tool_use' ? [{ id: b.id, type: 'function' as const, function: { name: b.name, arguments: JSON.stringify(b.input) } }] : [],
  );
  const message: OpenAIMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  return message;
}

function textPart(block: Extract<AnthropicBlock, { type: 'text' }>): {
  type: 'text';
  text: string;
  cache_control?: Record<string, unknown>;
} {
  return block.cache_control === undefined
    ? { type: 'text', text: block.text }
    : { type: 'text', text: block.text, cache_control: block.cache_control };
}

function imagePart(block: Extract<AnthropicBlock, { type: 'image' }>): UserPart {
  const url = block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url;
  return { type: 'image_url', image_url: { url } };
}
