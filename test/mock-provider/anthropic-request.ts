// Owns reading an Anthropic Messages request: Anthropic's checks on the top-level fields, then the mapping to ChatRequest. Pure.

import type { InboundMessage } from './anthropic-content.ts';
import { readMessages } from './anthropic-content.ts';
import type { ChatRequest } from './chat-reply.ts';
import { contentText, isRecord } from './chat-reply.ts';

/** How a request turned thinking on (`enabled` or `adaptive`), and how it wants it displayed. */
export type ThinkingMode = { type: 'enabled' | 'adaptive'; display: 'summarized' | 'omitted' };

/**
 * A checked Messages request: the internal chat request, the output limits Anthropic honours, and
 * the thinking mode (absent when thinking is off, `disabled` or `between_tools`).
 */
export type AnthropicRequest = { chat: ChatRequest; maxTokens: number; stopSequences: string[]; thinking?: ThinkingMode };

/** Which endpoint the body is for: `create` (`/v1/messages`) or `count` (`/v1/messages/count_tokens`, no `max_tokens`). */
export type RequestKind = 'create' | 'count';

const toolChoiceTypes = ['auto', 'any', 'tool', 'none'];

function checkScalars(body: Record<string, unknown>, kind: RequestKind): string | undefined {
  const { model, max_tokens: maxTokens, stream, temperature, stop_sequences: stops } = body;
  if (model === undefined) return 'model: Field required';
  if (typeof model !== 'string') return 'model: Input should be a valid string';
  if (model === '') return 'model: String should have at least 1 character';
  if (kind === 'count') return undefined;
  if (maxTokens === undefined) return 'max_tokens: Field required';
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) return 'max_tokens: Input should be a valid integer';
  if (maxTokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  if (stream !== undefined && typeof stream !== 'boolean') return 'stream: Input should be a valid boolean';
  if (temperature !== undefined && typeof temperature !== 'number') return 'temperature: Input should be a valid number';
  if (typeof temperature === 'number' && temperature < 0) return 'temperature: Input should be greater than or equal to 0';
  if (typeof temperature === 'number' && temperature > 1) return 'temperature: Input should be less than or equal to 1';
  if (stops !== undefined && !(Array.isArray(stops) && stops.every((stop) => typeof stop === 'string'))) {
    return 'stop_sequences: Input should be a valid list of strings';
  }
  return undefined;
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: Input should be a valid string or a list of text blocks';
  const bad = system.findIndex((block) => !isRecord(block) || block.type !== 'text' || typeof block.text !== 'string');
  return bad < 0 ? undefined : `system.${bad}: Input should be a text block with a string 'text'`;
}

function checkTool(tool: unknown, i: number): string | undefined {
  if (!isRecord(tool)) return `tools.${i}: Input should be a valid dictionary or object to extract fields from`;
  if (typeof tool.name !== 'string') return `tools.${i}.name: Field required`;
  const custom = tool.type === undefined || tool.type === 'custom';
  return custom && !isRecord(tool.input_schema) ? `tools.${i}.custom.input_schema: Field required` : undefined;
}

function checkTools(tools: unknown, choice: unknown): string | undefined {
  if (tools !== undefined && !Array.isArray(tools)) return 'tools: Input should be a valid list';
  for (const [i, tool] of (Array.isArray(tools) ? tools : []).entries()) {
    const problem = checkTool(tool, i);
    if (problem !== undefined) return problem;
  }
  if (choice === undefined) return undefined;
  if (!isRecord(choice) || typeof choice.type !== 'string' || !toolChoiceTypes.includes(choice.type)) {
    return "tool_choice: Input should be an object whose 'type' is 'auto', 'any', 'tool' or 'none'";
  }
  return choice.type === 'tool' && typeof choice.name !== 'string' ? 'tool_choice.tool.name: Field required' : undefined;
}

const thinkingTypes = ['enabled', 'disabled', 'adaptive', 'between_tools'];

/** Checks `thinking` (budget rules for `enabled`; `display` for `enabled`/`adaptive`) and reads its mode; `maxTokens` is absent for count_tokens. */
function readThinking(thinking: unknown, maxTokens: number | undefined): ThinkingMode | undefined | { problem: string } {
  if (thinking === undefined) return undefined;
  if (!isRecord(thinking) || !thinkingTypes.includes(String(thinking.type))) {
    return { problem: "thinking: Input should be an object whose 'type' is 'enabled', 'disabled', 'adaptive' or 'between_tools'" };
  }
  const { type, display, budget_tokens: budget } = thinking;
  if (type !== 'enabled' && type !== 'adaptive') return undefined;
  if (display !== undefined && display !== null && display !== 'summarized' && display !== 'omitted') {
    return { problem: `thinking.${type}.display: Input should be 'summarized' or 'omitted'` };
  }
  const mode: ThinkingMode = { type, display: display === 'omitted' ? 'omitted' : 'summarized' };
  if (type === 'adaptive') return mode;
  if (typeof budget !== 'number' || !Number.isInteger(budget)) return { problem: 'thinking.enabled.budget_tokens: Field required' };
  if (budget < 1024) return { problem: 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024' };
  if (maxTokens !== undefined && budget >= maxTokens) return { problem: '`max_tokens` must be greater than `thinking.budget_tokens`' };
  return mode;
}

/** The tools the mock may call: the forced one, else every tool sent; none when `tool_choice` is `none`. */
function callableTools(tools: unknown, choice: unknown): string[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  if (isRecord(choice) && choice.type === 'none') return undefined;
  if (isRecord(choice) && choice.type === 'tool' && typeof choice.name === 'string') return [choice.name];
  return tools.map((tool: unknown) => (isRecord(tool) && typeof tool.name === 'string' ? tool.name : 'tool'));
}

/**
 * One inbound message as the internal chat shape: a user turn carrying `tool_result` blocks
 * becomes a `tool` message holding the results' text (so the answer is `Tool said: …`);
 * anything else keeps its role and content (block text is the content text).
 */
function toChatMessage(message: InboundMessage): ChatRequest['messages'][number] {
  if (typeof message.content === 'string' || message.role !== 'user') return message;
  const results = message.content.filter((block) => block.type === 'tool_result');
  if (results.length === 0) return message;
  return { role: 'tool', content: results.map((result) => contentText(result.content)).join('\n') };
}

/**
 * Checks a parsed body as Anthropic's Messages API does (model, `max_tokens` required unless
 * `kind` is `count`, messages, system, tools, tool_choice, stop_sequences, temperature, stream,
 * thinking) and maps it to the mock's internal ChatRequest, so both wires share one answer logic.
 * The system prompt becomes a leading `system` message (it counts towards input tokens). Fields
 * the mock does not check (metadata, output_config, context_management, cache_control, …) are
 * accepted and ignored. Returns the first problem in Anthropic's wording, e.g.
 * `max_tokens: Field required`, answered as a 400.
 */
export function readAnthropicRequest(body: unknown, kind: RequestKind = 'create'): AnthropicRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  const scalars = checkScalars(body, kind);
  if (scalars !== undefined) return scalars;
  const maxTokens = kind === 'count' ? undefined : Number(body.max_tokens);
  const messages = readMessages(body.messages);
  if (typeof messages === 'string') return messages;
  const problem = checkSystem(body.system) ?? checkTools(body.tools, body.tool_choice);
  if (problem !== undefined) return problem;
  const thinking = readThinking(body.thinking, maxTokens);
  if (thinking !== undefined && 'problem' in thinking) return thinking.problem;
  const system = contentText(body.system);
  const toolNames = callableTools(body.tools, body.tool_choice);
  const chat: ChatRequest = {
    model: String(body.model),
    messages: [...(system === '' ? [] : [{ role: 'system', content: system }]), ...messages.map(toChatMessage)],
    stream: body.stream === true,
    includeUsage: false,
    toolName: toolNames?.[0],
    toolNames,
  };
  const stops = body.stop_sequences;
  const stopSequences = Array.isArray(stops) ? stops.filter((stop) => typeof stop === 'string') : [];
  return { chat, maxTokens: maxTokens ?? Number.MAX_SAFE_INTEGER, stopSequences, thinking };
}
