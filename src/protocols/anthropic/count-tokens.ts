// Anthropic token counting (`POST /v1/messages/count_tokens`): the request, the call to a vendor, and the proxy's own estimate.
import type { ResolvedTarget } from '../../config/load.ts';
import type { Forwarded, HttpFacts, TargetCall } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import { isUnknown } from '../tagged.ts';
import { parseBody } from '../validate.ts';
import { forwardedOf } from './caller.ts';
import { type CountTokensRequest, countTokensRequestSchema } from './schema.ts';
import { anthropicHeaders } from './target.ts';

/** Characters per token of the estimate: a rough average for English text and code. */
export const CHARS_PER_TOKEN = 4;
/** What an image or a document counts in the estimate (Anthropic bills a typical image at about this many). */
export const TOKENS_PER_ATTACHMENT = 1600;

/** A checked token count request. */
export interface CountTokensCall {
  model: string;
  body: Json;
  forward: Forwarded;
  parsed: CountTokensRequest;
}

/** Checks a count_tokens body (model, messages, and the shapes the estimate reads); anything else passes to the vendor. */
export function parseCountTokens(value: unknown, http: HttpFacts): CountTokensCall {
  const parsed = parseBody(countTokensRequestSchema, value);
  return { model: parsed.model, body: value as Json, forward: forwardedOf(http), parsed };
}

/** The vendor call: the body as the caller wrote it with the target's model, at `/messages/count_tokens`. */
export function countTokensCall(request: CountTokensCall, target: ResolvedTarget, key: string | undefined): TargetCall {
  return {
    url: `${target.provider.baseUrl}/messages/count_tokens${request.forward.query}`,
    headers: anthropicHeaders(key, target, request.forward),
    body: { ...request.body, model: target.model },
    mode: 'passthrough',
  };
}

/** The vendor's count, when its answer is one. */
export function readCount(value: unknown): number | undefined {
  return isObject(value) && typeof value.input_tokens === 'number' ? value.input_tokens : undefined;
}

/**
 * The proxy's estimate when no vendor can count: ⌈characters / 4⌉ of the system prompt, every text
 * and thinking block, tool calls' inputs and tool results (as JSON text) and the tool definitions
 * (as JSON), plus 1,600 tokens per image or document. Vendors tokenise differently, so it is a
 * guide for context budgeting, not a bill.
 */
export function estimateInputTokens(request: CountTokensRequest): number {
  let chars = 0;
  let attachments = 0;
  const text = (value: string): void => {
    chars += value.length;
  };
  if (typeof request.system === 'string') text(request.system);
  else for (const block of request.system ?? []) if (!isUnknown(block, 'type')) text(block.text);
  for (const message of request.messages) {
    if (typeof message.content === 'string') {
      text(message.content);
      continue;
    }
    for (const block of message.content) {
      if (isUnknown(block, 'type')) text(JSON.stringify(block.value));
      else if (block.type === 'text') text(block.text);
      else if (block.type === 'thinking') text(block.thinking);
      else if (block.type === 'tool_use') text(`${block.name}${JSON.stringify(block.input)}`);
      else if (block.type === 'tool_result') text(typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? ''));
      else if (block.type === 'image' || block.type === 'document') attachments++;
    }
  }
  for (const tool of request.tools ?? []) text(JSON.stringify(isUnknown(tool, 'type') ? tool.value : tool));
  return Math.ceil(chars / CHARS_PER_TOKEN) + attachments * TOKENS_PER_ATTACHMENT;
}
