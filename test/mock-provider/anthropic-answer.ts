// Owns what the mock answers on the Anthropic wire: content blocks, stream deltas, stop reason and usage. Pure.

import { citationFor } from './anthropic-citations.ts';
import type { AnthropicRequest } from './anthropic-request.ts';
import type { StreamedBlock } from './anthropic-thinking.ts';
import { thinkingBlocks, thinkingText } from './anthropic-thinking.ts';
import type { AnthropicUsage, BlockDelta, ContentBlock, StopReason, TextBlock } from './anthropic-wire.ts';
import { anthropicUsage } from './anthropic-wire.ts';
import type { Answer } from './chat-reply.ts';
import { answerFor, splitPieces } from './chat-reply.ts';
import type { Scenario } from './scenario.ts';

export type { StreamedBlock } from './anthropic-thinking.ts';

/** One Anthropic answer, in both its non-streaming and streaming forms. */
export type AnthropicAnswer = {
  /** The whole message content: thinking blocks when asked for, then one text or tool_use block. */
  content: ContentBlock[];
  /** The same blocks as streamed, in order: each block's `content_block_start` and its deltas. */
  blocks: StreamedBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  usage: AnthropicUsage;
};

/** The scenario items that shape an answer's content. */
export type AnswerScript = Partial<Pick<Scenario, 'reply' | 'repeat' | 'citations' | 'redactedThinking'>>;

type MainBlock = { block: ContentBlock; streamed: StreamedBlock; stopReason: StopReason; stopSequence: string | null; tokens: number };

/** The text up to the earliest stop sequence it contains, and that sequence. */
function untilStop(text: string, stopSequences: readonly string[]): { text: string; stop: string | null } {
  let cut: { at: number; stop: string } | undefined;
  for (const stop of stopSequences) {
    const at = stop === '' ? -1 : text.indexOf(stop);
    if (at >= 0 && (cut === undefined || at < cut.at)) cut = { at, stop };
  }
  return cut === undefined ? { text, stop: null } : { text: text.slice(0, cut.at), stop: cut.stop };
}

function toolBlock(answer: Extract<Answer, { kind: 'tool' }>, n: number): MainBlock {
  const block = { type: 'tool_use' as const, id: `toolu_mock_${n}`, name: answer.name };
  const deltas = ['', ...answer.fragments].map((partial): BlockDelta => ({ type: 'input_json_delta', partial_json: partial }));
  const streamed = { start: { ...block, input: {} }, deltas };
  return {
    block: { ...block, input: answer.input },
    streamed,
    stopReason: 'tool_use',
    stopSequence: null,
    tokens: answer.fragments.length,
  };
}

function textBlock(answer: Extract<Answer, { kind: 'text' }>, request: AnthropicRequest, cite: boolean): MainBlock {
  const stopped = untilStop(answer.text, request.stopSequences);
  const pieces = splitPieces(stopped.text);
  const truncated = pieces.length > request.maxTokens;
  const kept = truncated ? pieces.slice(0, request.maxTokens) : pieces;
  const citation = cite ? citationFor(request.chat) : undefined;
  const block: TextBlock = { type: 'text', text: kept.join(''), ...(citation && { citations: [citation] }) };
  const deltas: BlockDelta[] = [
    ...(citation ? [{ type: 'citations_delta' as const, citation }] : []),
    ...kept.map((piece): BlockDelta => ({ type: 'text_delta', text: piece })),
  ];
  return {
    block,
    streamed: { start: { type: 'text', text: '' }, deltas },
    stopReason: truncated ? 'max_tokens' : stopped.stop === null ? 'end_turn' : 'stop_sequence',
    stopSequence: truncated ? null : stopped.stop,
    tokens: kept.length,
  };
}

/**
 * Builds the answer for call `n` from the shared answer logic (`answerFor`: same text, repeat,
 * prefill continuation, tool rule and `MOCK_TOOL` directives as the OpenAI wire). A tool call is
 * one `tool_use` block (`toolu_mock_<n>`) streamed as an empty `partial_json` and then three
 * fragments, stop reason `tool_use`. Text stops at the earliest stop sequence (`stop_sequence`)
 * or after `max_tokens` pieces (`max_tokens`), else `end_turn`; one piece is one output token;
 * with `citations` it carries one `char_location` citation (streamed as a `citations_delta`
 * before its text). With thinking on, signed thinking blocks come first (see `thinkingBlocks`)
 * and their tokens count as output.
 */
export function anthropicAnswer(request: AnthropicRequest, n: number, script: AnswerScript = {}): AnthropicAnswer {
  const answer = answerFor(request.chat, script.reply, script.repeat);
  const main = answer.kind === 'tool' ? toolBlock(answer, n) : textBlock(answer, request, script.citations === true);
  const thinking =
    request.thinking === undefined
      ? { content: [], streamed: [], tokens: 0 }
      : thinkingBlocks(thinkingText(answer), { display: request.thinking.display, redacted: script.redactedThinking === true });
  return {
    content: [...thinking.content, main.block],
    blocks: [...thinking.streamed, main.streamed],
    stopReason: main.stopReason,
    stopSequence: main.stopSequence,
    usage: anthropicUsage(answer.promptTokens, thinking.tokens + main.tokens),
  };
}
