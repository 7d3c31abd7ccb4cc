// The internal request as an Anthropic Messages body, for an Anthropic-protocol target. Pure.
import type { Json } from '../json.ts';
import { type ModelPart, type ModelRequest, UnsupportedRequest } from '../model.ts';
import { toolInput } from './message.ts';

/** Used when neither the request nor the target gives `max_tokens`, which Anthropic requires. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * Builds the body: the system text as `system` blocks (cache marks kept), turns as they are
 * (same-role neighbours were merged), tool results as `tool_result` blocks, tool calls as
 * `tool_use`, reasoning with a signature as `thinking` (reasoning another vendor wrote has no
 * signature Anthropic would accept, so it is left out), a trailing assistant turn kept as a
 * prefill. Temperatures above Anthropic's maximum of 1 are clamped. A JSON output format throws
 * UnsupportedRequest.
 */
export function modelToMessages(request: ModelRequest, options: { model: string; maxTokens: number | undefined }): Json {
  if (request.responseFormat !== undefined) throw new UnsupportedRequest(`response_format ${request.responseFormat.type}`);
  const messages = request.messages
    .map((message) => ({ role: message.role, content: message.parts.flatMap(blockOf) }))
    .filter((message) => message.content.length > 0);
  const body: Json = { model: options.model, messages, max_tokens: request.maxTokens ?? options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS };
  const system = request.system.filter((p) => p.text !== '').map(textBlock);
  if (system.length > 0) body.system = system;
  if (request.stream) body.stream = true;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  const budget = thinkingBudget(request.reasoning?.budgetTokens, body.max_tokens as number);
  if (budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: budget };
  if (request.tools.length > 0 && request.toolChoice !== 'none') {
    body.tools = request.tools.map((tool) => {
      const out: Json = { name: tool.name, input_schema: tool.parameters };
      if (tool.description !== undefined) out.description = tool.description;
      if (tool.cacheControl !== undefined) out.cache_control = tool.cacheControl;
      return out;
    });
    const choice = toolChoice(request);
    if (choice !== undefined) body.tool_choice = choice;
  }
  return body;
}

function toolChoice(request: ModelRequest): Json | undefined {
  const choice = request.toolChoice;
  const parallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return request.parallelToolCalls === false ? { type: 'auto', ...parallel } : undefined;
  if (choice === 'auto') return { type: 'auto', ...parallel };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (choice === 'none') return undefined;
  return { type: 'tool', name: choice.name, ...parallel };
}

function textBlock(part: Extract<ModelPart, { type: 'text' }>): Json {
  return part.cacheControl === undefined
    ? { type: 'text', text: part.text }
    : { type: 'text', text: part.text, cache_control: part.cacheControl };
}

function blockOf(part: ModelPart): Json[] {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [textBlock(part)];
    case 'image':
      return [{ type: 'image', source: imageSource(part.url) }];
    case 'file':
      return [documentBlock(part)];
    case 'reasoning':
      return part.signature === undefined ? [] : [{ type: 'thinking', thinking: part.text, signature: part.signature }];
    case 'redacted-reasoning':
      return [{ type: 'redacted_thinking', data: part.data }];
    case 'tool-call':
      return [{ type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments) }];
    case 'tool-result': {
      const content = part.content.flatMap(blockOf);
      const only = content.length === 1 && content[0]?.type === 'text' ? content[0].text : undefined;
      const result: Json = { type: 'tool_result', tool_use_id: part.callId, content: only ?? content };
      if (part.isError === true) result.is_error = true;
      return [result];
    }
  }
}

/** A data URL becomes a base64 source; anything else is fetched by Anthropic from its URL. */
function imageSource(url: string): Json {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data !== null) return { type: 'base64', media_type: data[1], data: data[2] };
  return { type: 'url', url };
}

function documentBlock(file: Extract<ModelPart, { type: 'file' }>): Json {
  const data = file.data === undefined ? null : /^data:application\/pdf;base64,(.*)$/s.exec(file.data);
  if (data === null) throw new UnsupportedRequest('file parts other than inline PDFs');
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data[1] } };
}

/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/**
 * The thinking budget sent: the one asked for, below `max_tokens` as Anthropic requires (a budget
 * that does not fit under the output limit shrinks to it); none when not even the minimum fits.
 */
function thinkingBudget(asked: number | undefined, maxTokens: number): number | undefined {
  if (asked === undefined) return undefined;
  const budget = Math.min(asked, maxTokens - 1);
  return budget >= MIN_THINKING_BUDGET ? budget : undefined;
}

/** What the internal request holds that an Anthropic target is not sent (see `modelToMessages`), by name. */
export function notSentToMessages(request: ModelRequest): string[] {
  const out: string[] = [];
  if (request.seed !== undefined) out.push('seed');
  if (request.presencePenalty !== undefined) out.push('presence_penalty');
  if (request.frequencyPenalty !== undefined) out.push('frequency_penalty');
  if (request.reasoning?.effort !== undefined && request.reasoning.budgetTokens === undefined) out.push('reasoning_effort');
  const asked = request.reasoning?.budgetTokens;
  if (asked !== undefined && request.maxTokens !== undefined && Math.min(asked, request.maxTokens - 1) < MIN_THINKING_BUDGET)
    out.push('thinking');
  return out;
}
