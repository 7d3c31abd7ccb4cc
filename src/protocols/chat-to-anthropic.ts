// The internal chat request turned into an Anthropic Messages request for an Anthropic-protocol target.
import { toolInput } from './anthropic-message.ts';
import type { AnthropicExtras } from './anthropic-to-chat.ts';
import type { ChatRequest, OpenAIMessage } from './openai-schema.ts';

type Json = Record<string, unknown>;

/** Used when neither the request nor the target gives `max_tokens`, which Anthropic requires. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** A request an Anthropic target cannot serve as asked; the target is skipped with this reason. */
export class UnsupportedRequest extends Error {
  override readonly name = 'UnsupportedRequest';
}

/**
 * Builds the Messages body for one target: system and developer messages joined into `system`,
 * tool messages as `tool_result` blocks of a user turn, `tool_calls` as `tool_use` blocks,
 * same-role neighbours merged, a trailing assistant message kept as a prefill. Throws
 * UnsupportedRequest for what Anthropic has no equivalent of (n > 1, logprobs, audio, JSON modes).
 */
export function chatToAnthropic(
  body: ChatRequest,
  options: { model: string; maxTokens: number | undefined; stream: boolean; extras?: AnthropicExtras },
): Json {
  refuseUnsupported(body);
  const system: Json[] = [];
  const turns: { role: 'user' | 'assistant'; content: Json[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: Json[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of body.messages) {
    if (message.role === 'system' || message.role === 'developer') system.push(...textBlocks(message.content));
    else if (message.role === 'user') push('user', userBlocks(message.content));
    else if (message.role === 'tool') push('user', [toolResult(message.tool_call_id, message.content)]);
    else if (message.role === 'function') push('user', [{ type: 'text', text: message.content ?? '' }]);
    else push('assistant', assistantBlocks(message));
  }
  const out: Json = {
    model: options.model,
    messages: turns,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
  };
  if (system.length > 0) out.system = system;
  if (options.stream) out.stream = true;
  if (body.stop != null) out.stop_sequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  // Anthropic's temperature range is 0-1; OpenAI's is 0-2.
  if (body.temperature != null) out.temperature = Math.min(body.temperature, 1);
  if (body.top_p != null) out.top_p = body.top_p;
  const topK = options.extras?.top_k ?? body.top_k;
  if (topK != null) out.top_k = topK;
  if (body.user !== undefined) out.metadata = { user_id: body.user };
  if (options.extras?.thinking !== undefined) out.thinking = options.extras.thinking;
  if (options.extras?.service_tier !== undefined) out.service_tier = options.extras.service_tier;
  if (body.tools !== undefined && body.tools.length > 0 && body.tool_choice !== 'none') {
    out.tools = body.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description === undefined ? {} : { description: t.function.description }),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(body);
    if (choice !== undefined) out.tool_choice = choice;
  }
  return out;
}

function refuseUnsupported(body: ChatRequest): void {
  if ((body.n ?? 1) > 1) throw new UnsupportedRequest('n > 1 (several choices)');
  if (body.logprobs === true) throw new UnsupportedRequest('logprobs');
  if (body.response_format != null && body.response_format.type !== 'text')
    throw new UnsupportedRequest(`response_format ${body.response_format.type}`);
  if (body.modalities?.includes('audio') === true || body.audio != null) throw new UnsupportedRequest('audio output');
  if (body.functions !== undefined || body.function_call !== undefined) throw new UnsupportedRequest('legacy functions (use tools)');
}

function toolChoice(body: ChatRequest): Json | undefined {
  const choice = body.tool_choice;
  const parallel = body.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return body.parallel_tool_calls === false ? { type: 'auto', ...parallel } : undefined;
  if (choice === 'auto') return { type: 'auto', ...parallel };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (choice === 'none') return undefined;
  return { type: 'tool', name: choice.function.name, ...parallel };
}

function textBlocks(content: string | { type: 'text'; text: string; cache_control?: Json }[]): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.filter((p) => p.text !== '').map((p) => (p.cache_control === undefined ? { type: 'text', text: p.text } : { ...p }));
}

type UserContent = Extract<OpenAIMessage, { role: 'user' }>['content'];

function userBlocks(content: UserContent): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part): Json[] => {
    switch (part.type) {
      case 'text':
        return textBlocks([part]);
      case 'image_url':
        return [{ type: 'image', source: imageSource(part.image_url.url) }];
      case 'file':
        return [documentBlock(part.file)];
      default:
        throw new UnsupportedRequest('audio input');
    }
  });
}

/** A data URL becomes a base64 source; anything else is fetched by Anthropic from its URL. */
function imageSource(url: string): Json {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data !== null) return { type: 'base64', media_type: data[1], data: data[2] };
  return { type: 'url', url };
}

function documentBlock(file: { file_data?: string; file_id?: string; filename?: string }): Json {
  const data = file.file_data === undefined ? null : /^data:application\/pdf;base64,(.*)$/s.exec(file.file_data);
  if (data === null) throw new UnsupportedRequest('file parts other than inline PDFs');
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data[1] } };
}

function toolResult(id: string, content: string | { type: 'text'; text: string }[]): Json {
  const text = typeof content === 'string' ? content : content.map((p) => p.text).join('\n');
  return { type: 'tool_result', tool_use_id: id, content: text };
}

function assistantBlocks(message: Extract<OpenAIMessage, { role: 'assistant' }>): Json[] {
  const blocks: Json[] = [];
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    for (const part of content) {
      const text = part.type === 'text' ? part.text : part.refusal;
      if (text !== '') blocks.push({ type: 'text', text });
    }
  }
  for (const call of message.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return blocks;
}
