// Owns turning Responses input items (after a stored previous response) into the shared chat shape, with OpenAI's checks on call ids and reasoning items. Pure.

import type { ChatRequest } from './chat-reply.ts';
import { contentText, promptTokens } from './chat-reply.ts';
import type { RequestProblem } from './responses-errors.ts';
import { itemNotFound, noToolCall, unverifiedContent } from './responses-errors.ts';
import type { InputItem } from './responses-input.ts';
import { verifyReasoning } from './responses-reasoning.ts';
import type { ResponsesRequest } from './responses-request.ts';
import type { ChatMessage, StoredResponse } from './responses-store.ts';

/** The conversation an answer is for, and what a stored answer hands on to a continuation. */
export type Conversation = {
  /** What the shared answer logic reads: instructions as a leading system message, then the history. */
  chat: ChatRequest;
  /** The previous response's history, then this input (no instructions). */
  history: ChatMessage[];
  /** Every function call's `call_id` in the history. */
  callIds: string[];
  /** Input tokens of the history carried over from `previous_response_id`: the prompt-cache hit a continuation gets. */
  cachedTokens: number;
};

const roleOf: Record<string, string> = { user: 'user', assistant: 'assistant', system: 'system', developer: 'system' };

/**
 * One input item as a chat message: a message keeps its role (developer as system) and content;
 * a function or custom tool call is an assistant turn; its output is a `tool` message (so the
 * answer is `Tool said: …`). Reasoning, references and built-in tool items carry no text.
 */
function toMessage(item: InputItem): ChatMessage | undefined {
  switch (item.type) {
    case 'message':
      return { role: roleOf[String(item.role)] ?? 'user', content: item.content };
    case 'function_call':
    case 'custom_tool_call':
      return { role: 'assistant', content: '' };
    case 'function_call_output':
    case 'custom_tool_call_output':
      return { role: 'tool', content: contentText(item.output) };
    default:
      return undefined;
  }
}

/** Consecutive tool outputs answer one turn's calls: they become one `tool` message, as one user turn of tool results does on the Anthropic wire. */
function mergeOutputs(messages: ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged.at(-1);
    if (message.role === 'tool' && last?.role === 'tool') {
      merged[merged.length - 1] = { role: 'tool', content: `${contentText(last.content)}\n${contentText(message.content)}` };
    } else {
      merged.push(message);
    }
  }
  return merged;
}

/**
 * OpenAI's checks on items that point elsewhere: a `function_call_output` must answer a call in
 * the input or in the previous response's conversation; a reasoning item's `encrypted_content`
 * must be one this vendor sealed (400 `invalid_encrypted_content`); a reasoning item sent without
 * it, by id alone, must be one this vendor stored (404, as with `store: false`).
 */
function checkReferences(
  items: InputItem[],
  callIds: readonly string[],
  isStoredItem: (id: string) => boolean,
): RequestProblem | undefined {
  for (const item of items) {
    if (item.type === 'function_call_output' && !callIds.includes(String(item.call_id))) return noToolCall(String(item.call_id));
    if (item.type !== 'reasoning') continue;
    const encrypted = item.encrypted_content;
    if (typeof encrypted === 'string') {
      if (!verifyReasoning(encrypted)) return unverifiedContent(encrypted);
    } else if (typeof item.id !== 'string' || !isStoredItem(item.id)) {
      return itemNotFound(String(item.id ?? ''));
    }
  }
  return undefined;
}

/**
 * The conversation of `request`: the history of `previous` (when the request continues one),
 * then its input items as chat messages; the callable functions become the chat request's tools.
 * Refuses a dangling `call_id` or a reasoning item the vendor cannot vouch for (see `checkReferences`).
 */
export function buildConversation(
  request: ResponsesRequest,
  previous: StoredResponse | undefined,
  isStoredItem: (id: string) => boolean,
): Conversation | RequestProblem {
  const inputCalls = request.items.filter((item) => item.type === 'function_call').map((item) => String(item.call_id));
  const callIds = [...(previous?.callIds ?? []), ...inputCalls];
  const problem = checkReferences(request.items, callIds, isStoredItem);
  if (problem !== undefined) return problem;
  const carried = previous?.history ?? [];
  const input = request.items.map(toMessage).filter((message) => message !== undefined);
  const history = mergeOutputs([...carried, ...input]);
  const system = request.instructions === '' ? [] : [{ role: 'system', content: request.instructions }];
  const names = request.callable.map((tool) => tool.name);
  const chat: ChatRequest = {
    model: request.model,
    messages: [...system, ...history],
    stream: request.stream,
    includeUsage: false,
    toolName: names[0],
    toolNames: names.length === 0 ? undefined : names,
  };
  const cachedTokens = carried.length === 0 ? 0 : promptTokens(carried.map((message) => contentText(message.content)));
  return { chat, history, callIds, cachedTokens };
}
