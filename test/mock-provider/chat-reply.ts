// Owns what the mock answers to a chat request: text or a tool call, its pieces and token counts. Pure.

import type { AssistantMessage, ChunkDelta, FinishReason, Usage } from './openai-wire.ts';
import { usage } from './openai-wire.ts';
import { directiveStep } from './tool-directives.ts';

/** The default answer text. */
export const defaultReply = 'Hello from the mock provider.';

/** A chat request, narrowed from the inbound JSON body. */
export type ChatRequest = {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  stream: boolean;
  includeUsage: boolean;
  /** The tool the mock calls by default (the first offered, or the forced one). */
  toolName?: string;
  /** Every tool the mock may call (for `MOCK_TOOL` directives); absent when tools are off. */
  toolNames?: string[];
};

/** One answer, in both its non-streaming and streaming forms. */
export type ChatAnswer = {
  message: AssistantMessage;
  /** The first streamed delta: role only. */
  roleDelta: ChunkDelta;
  /** The content chunks' deltas; faults count these ("after N content chunks"). */
  deltas: ChunkDelta[];
  finishReason: FinishReason;
  usage: Usage;
};

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows a parsed body to a chat request, or says what is missing (answered as a 400). */
export function readChatRequest(body: unknown): ChatRequest | string {
  if (!isRecord(body)) return 'The request body must be a JSON object.';
  const { model, messages, stream, stream_options: options, tools } = body;
  if (typeof model !== 'string' || model === '') return 'you must provide a model parameter';
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  const parsed: ChatRequest['messages'] = [];
  for (const message of messages) {
    if (!isRecord(message) || typeof message.role !== 'string') return "each message needs a string 'role'";
    parsed.push({ role: message.role, content: message.content });
  }
  const names = Array.isArray(tools)
    ? tools.map((tool: unknown) =>
        isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === 'string' ? tool.function.name : 'tool',
      )
    : [];
  return {
    model,
    messages: parsed,
    stream: stream === true,
    includeUsage: isRecord(options) && options.include_usage === true,
    toolName: names[0],
    toolNames: names.length === 0 ? undefined : names,
  };
}

/** The text of a message's content: a string, or the `text` parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/** A deterministic prompt token count: characters of all message text / 4, rounded up. */
export function promptTokens(texts: readonly string[]): number {
  return Math.ceil(texts.reduce((sum, text) => sum + text.length, 0) / 4);
}

/** The input tokens of a chat request: its messages' text (see `promptTokens`). Both `answerFor` and count_tokens use it. */
export function requestTokens(request: ChatRequest): number {
  return promptTokens(request.messages.map((message) => contentText(message.content)));
}

/** Word-sized pieces that keep their leading spaces: `'Hello from'` → `['Hello', ' from']`. */
export function splitPieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Splits `text` into three fragments (fewer when it is shorter than three characters). */
export function thirds(text: string): string[] {
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)].filter((part) => part !== '');
}

/**
 * The reply text: `Tool said: …` after a tool result; otherwise the scripted reply (repeated
 * `repeat` times, joined by spaces). When the request ends with an assistant message that is a
 * prefix of that reply (a proxy's stream-rescue continuation), only the rest is answered.
 */
export function replyText(request: ChatRequest, reply = defaultReply, repeat = 1): string {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return `Tool said: ${contentText(last.content)}`;
  const full = Array.from({ length: Math.max(repeat, 1) }, () => reply).join(' ');
  if (last?.role !== 'assistant') return full;
  const prefix = contentText(last.content);
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}

/** What the mock answers, before any wire shape: text in word-sized pieces, or one tool call. */
export type Answer =
  | { kind: 'text'; text: string; pieces: string[]; promptTokens: number }
  | { kind: 'tool'; name: string; input: Record<string, unknown>; arguments: string; fragments: string[]; promptTokens: number };

function toolAnswer(name: string, input: Record<string, unknown>, tokens: number): Answer {
  const args = JSON.stringify(input);
  return { kind: 'tool', name, input, arguments: args, fragments: thirds(args), promptTokens: tokens };
}

/**
 * Decides the answer. With `MOCK_TOOL <name> {…}` directives in the user text (naming a callable
 * tool): directive k is called, with its JSON as input, once k-1 tool results are in; after the
 * last one's result, the reply text. Without directives: one call to the first tool when tools
 * were sent and the last message is not a tool result (input `{"query": <last user text>}`), else
 * the reply text. Tool arguments stream as three fragments. Prompt tokens come from the text of
 * every message. Pure; both wires build on it, so an OpenAI and an Anthropic request with the same
 * content get the same answer.
 */
export function answerFor(request: ChatRequest, reply?: string, repeat?: number): Answer {
  const tokens = requestTokens(request);
  const { messages } = request;
  const userTexts = messages.filter((message) => message.role === 'user').map((message) => contentText(message.content));
  const step = directiveStep(userTexts, request.toolNames, messages.filter((message) => message.role === 'tool').length);
  if (step.kind === 'call') return toolAnswer(step.directive.name, step.directive.input, tokens);
  if (step.kind === 'none' && request.toolName !== undefined && messages.at(-1)?.role !== 'tool') {
    const lastUser = messages.findLast((message) => message.role === 'user');
    return toolAnswer(request.toolName, { query: contentText(lastUser?.content) }, tokens);
  }
  const text = replyText(request, reply, repeat);
  return { kind: 'text', text, pieces: splitPieces(text), promptTokens: tokens };
}

/**
 * Builds the OpenAI answer for call `n` (see `answerFor`). Usage: completion tokens = number of
 * content pieces (argument fragments for a tool call).
 */
export function chatAnswer(request: ChatRequest, n: number, reply?: string, repeat?: number): ChatAnswer {
  const answer = answerFor(request, reply, repeat);
  if (answer.kind === 'tool') {
    const call = { id: `call_mock_${n}`, type: 'function' as const, function: { name: answer.name, arguments: answer.arguments } };
    const start: ChunkDelta = {
      tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
    };
    return {
      message: { role: 'assistant', content: null, tool_calls: [call], refusal: null },
      roleDelta: { role: 'assistant', content: null, refusal: null },
      deltas: [start, ...answer.fragments.map((fragment) => ({ tool_calls: [{ index: 0, function: { arguments: fragment } }] }))],
      finishReason: 'tool_calls',
      usage: usage(answer.promptTokens, answer.fragments.length),
    };
  }
  return {
    message: { role: 'assistant', content: answer.text, refusal: null },
    roleDelta: { role: 'assistant', content: '', refusal: null },
    deltas: answer.pieces.map((piece) => ({ content: piece })),
    finishReason: 'stop',
    usage: usage(answer.promptTokens, answer.pieces.length),
  };
}
