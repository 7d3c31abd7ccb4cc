// Wire shapes of Anthropic Messages requests, checked at the inbound edge: strict on what the proxy reads, open to the rest.
import * as z from 'zod';
import { tagged } from '../tagged.ts';

const json = z.record(z.string(), z.unknown());
const cacheControl = json.nullish();

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: tagged('type', {
    base64: z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string().min(1) }),
    url: z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
  }),
  cache_control: cacheControl,
});
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: tagged('type', {
    base64: z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string().min(1) }),
    text: z.looseObject({ type: z.literal('text'), data: z.string() }),
  }),
  title: z.string().nullish(),
  cache_control: cacheControl,
});
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: json });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(tagged('type', { text: textBlock, image: imageBlock }))]).optional(),
  is_error: z.boolean().optional(),
});
const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

const block = tagged('type', {
  text: textBlock,
  image: imageBlock,
  document: documentBlock,
  tool_use: toolUseBlock,
  tool_result: toolResultBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
});
export type AnthropicBlock = z.output<typeof block>;

/** A turn: `user`, `assistant`, or a mid-conversation `system` message (Claude Code sends them). */
const message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(block)]),
});
export type AnthropicMessage = z.output<typeof message>;

const customTool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 characters of a-z, A-Z, 0-9, _ or -'),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  cache_control: cacheControl,
});
/** Custom tools are checked; server tools (`web_search_20250305` ...) and other typed tools pass as sent. */
const tool = tagged('type', { custom: customTool }, { missing: 'custom' });

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = tagged('type', {
  auto: z.looseObject({ type: z.literal('auto'), ...parallel }),
  any: z.looseObject({ type: z.literal('any'), ...parallel }),
  tool: z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  none: z.looseObject({ type: z.literal('none') }),
});

const thinking = tagged('type', {
  enabled: z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  disabled: z.looseObject({ type: z.literal('disabled') }),
  adaptive: z.looseObject({ type: z.literal('adaptive') }),
});

/** The fields every Messages-shaped body shares (`/v1/messages`, `/v1/messages/count_tokens`). */
const common = {
  model: z.string().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(tagged('type', { text: textBlock }))]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
};

/**
 * An Anthropic Messages request (`POST /v1/messages`). The fields the proxy reads or translates are
 * checked; anything else (`output_config`, `context_management`, `container`, a field newer than
 * the proxy) passes through to Anthropic targets as sent.
 */
export const messagesRequestSchema = z.looseObject({
  ...common,
  max_tokens: z.number().int().positive(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  output_config: json.optional(),
});
export type MessagesRequest = z.output<typeof messagesRequestSchema>;

/** A token count request (`POST /v1/messages/count_tokens`): a Messages body without the output fields. */
export const countTokensRequestSchema = z.looseObject(common);
export type CountTokensRequest = z.output<typeof countTokensRequestSchema>;
