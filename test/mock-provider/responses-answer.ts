// Owns what the mock answers on the Responses wire: the output items (reasoning, message or function call), their streamed pieces, status and usage. Pure.

import type { Answer } from './chat-reply.ts';
import { answerFor } from './chat-reply.ts';
import type { Conversation } from './responses-conversation.ts';
import { reasoningFor } from './responses-reasoning.ts';
import type { ResponsesRequest } from './responses-request.ts';
import type { ChatMessage } from './responses-store.ts';
import type { FunctionCallItem, MessageItem, OutputItem, ResponseState } from './responses-wire.ts';
import { responsesUsage } from './responses-wire.ts';
import type { Scenario } from './scenario.ts';

/** One Responses answer: its final state, each output item's streamed pieces, and what it adds to the conversation. */
export type ResponsesAnswer = {
  /** `completed`, or `incomplete` when `max_output_tokens` cut the text; with the output and usage. */
  state: ResponseState;
  /** Per output item, in order: the summary pieces (reasoning), text pieces (message) or argument fragments (function call). */
  pieces: string[][];
  /** The output as chat messages, appended to the history when the Response is stored. */
  replies: ChatMessage[];
  /** The `call_id` of the function call answered, if any. */
  callIds: string[];
};

/** The scenario items that shape an answer's content. */
export type AnswerScript = Partial<Pick<Scenario, 'reply' | 'repeat'>>;

type Main = { item: OutputItem; pieces: string[]; tokens: number; cut: boolean; reply: ChatMessage; callIds: string[] };

function functionCall(answer: Extract<Answer, { kind: 'tool' }>, request: ResponsesRequest, n: number): Main {
  const namespace = request.callable.find((tool) => tool.name === answer.name)?.namespace;
  const item: FunctionCallItem = {
    id: `fc_mock_${n}`,
    type: 'function_call',
    status: 'completed',
    arguments: answer.arguments,
    call_id: `call_mock_${n}`,
    name: answer.name,
    ...(namespace !== undefined && { namespace }),
  };
  const reply = { role: 'assistant', content: '' };
  return { item, pieces: answer.fragments, tokens: answer.fragments.length, cut: false, reply, callIds: [item.call_id] };
}

function message(answer: Extract<Answer, { kind: 'text' }>, limit: number | undefined, n: number): Main {
  const cut = limit !== undefined && answer.pieces.length > limit;
  const pieces = cut ? answer.pieces.slice(0, limit) : answer.pieces;
  const text = pieces.join('');
  const item: MessageItem = {
    id: `msg_mock_${n}`,
    type: 'message',
    status: cut ? 'incomplete' : 'completed',
    content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
    role: 'assistant',
  };
  return { item, pieces, tokens: pieces.length, cut, reply: { role: 'assistant', content: text }, callIds: [] };
}

/**
 * The answer to call `n`, from the shared answer logic (`answerFor`: the same text, repeat, prefill
 * continuation, default tool call and `MOCK_TOOL` directives as the other wires). A tool call is a
 * `function_call` item (`fc_mock_<n>`, `call_mock_<n>`, the function's `namespace` when it was
 * offered in one) whose arguments stream in three fragments. Text is one `message` item
 * (`msg_mock_<n>`) of word-sized pieces; more pieces than `max_output_tokens` (reasoning tokens
 * not counted) are cut, leaving the message and the Response `incomplete`. With reasoning on, a
 * `reasoning` item (`rs_mock_<n>`) comes first. Usage: input tokens from the conversation's text,
 * the carried-over history as cached tokens, output = reasoning + pieces.
 */
export function responsesAnswer(
  request: ResponsesRequest,
  conversation: Conversation,
  n: number,
  script: AnswerScript = {},
): ResponsesAnswer {
  const answer = answerFor(conversation.chat, script.reply, script.repeat);
  const main = answer.kind === 'tool' ? functionCall(answer, request, n) : message(answer, request.maxOutputTokens, n);
  const reasoning = request.reasoning === undefined ? undefined : reasoningFor(answer, `rs_mock_${n}`, request.reasoning);
  const reasoningTokens = reasoning?.tokens ?? 0;
  const usage = responsesUsage(answer.promptTokens, reasoningTokens + main.tokens, reasoningTokens, conversation.cachedTokens);
  const output = reasoning === undefined ? [main.item] : [reasoning.item, main.item];
  const state: ResponseState = main.cut
    ? { status: 'incomplete', output, usage, incompleteReason: 'max_output_tokens' }
    : { status: 'completed', output, usage };
  return {
    state,
    pieces: reasoning === undefined ? [main.pieces] : [reasoning.pieces, main.pieces],
    replies: [main.reply],
    callIds: main.callIds,
  };
}
