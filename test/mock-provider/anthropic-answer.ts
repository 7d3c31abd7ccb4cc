// Owns what the mock answers on the Anthropic wire: content blocks, stream deltas, stop reason and usage. Pure.

import type { AnthropicRequest } from './anthropic-request.ts';
import type { AnthropicUsage, BlockDelta, ContentBlock, StopReason } from './anthropic-wire.ts';
import { anthropicUsage } from './anthropic-wire.ts';
import { answerFor, splitPieces } from './chat-reply.ts';

/** One Anthropic answer, in both its non-streaming and streaming forms. */
export type AnthropicAnswer = {
  /** The whole message content (always one block). */
  content: ContentBlock[];
  /** The block as `content_block_start` announces it: empty text, or the tool_use with empty input. */
  start: ContentBlock;
  /** The `content_block_delta` payloads; stream faults count these. */
  deltas: BlockDelta[];
  stopReason: StopReason;
  stopSequence: string | null;
  usage: AnthropicUsage;
};

/** The text up to the earliest stop sequence it contains, and that sequence. */
function untilStop(text: string, stopSequences: readonly string[]): { text: string; stop: string | null } {
  let cut: { at: number; stop: string } | undefined;
  for (const stop of stopSequences) {
    const at = stop === '' ? -1 : text.indexOf(stop);
    if (at >= 0 && (cut === undefined || at < cut.at)) cut = { at, stop };
  }
  return cut === undefined ? { text, stop: null } : { text: text.slice(0, cut.at), stop: cut.stop };
}

/**
 * Builds the answer for call `n` from the shared answer logic (`answerFor`: same text, repeat,
 * prefill continuation and tool rule as the OpenAI wire). A tool call is one `tool_use` block
 * (`toolu_mock_<n>`, input `{"query": …}`) streamed as an empty `partial_json` and then three
 * fragments, stop reason `tool_use`. Text stops at the earliest stop sequence (`stop_sequence`)
 * or after `max_tokens` pieces (`max_tokens`), else `end_turn`; one piece is one output token.
 */
export function anthropicAnswer(request: AnthropicRequest, n: number, reply?: string, repeat?: number): AnthropicAnswer {
  const answer = answerFor(request.chat, reply, repeat);
  if (answer.kind === 'tool') {
    const block = { type: 'tool_use' as const, id: `toolu_mock_${n}`, name: answer.name };
    return {
      content: [{ ...block, input: answer.input }],
      start: { ...block, input: {} },
      deltas: ['', ...answer.fragments].map((partial) => ({ type: 'input_json_delta', partial_json: partial })),
      stopReason: 'tool_use',
      stopSequence: null,
      usage: anthropicUsage(answer.promptTokens, answer.fragments.length),
    };
  }
  const stopped = untilStop(answer.text, request.stopSequences);
  const pieces = splitPieces(stopped.text);
  const truncated = pieces.length > request.maxTokens;
  const kept = truncated ? pieces.slice(0, request.maxTokens) : pieces;
  return {
    content: [{ type: 'text', text: kept.join('') }],
    start: { type: 'text', text: '' },
    deltas: kept.map((piece) => ({ type: 'text_delta', text: piece })),
    stopReason: truncated ? 'max_tokens' : stopped.stop === null ? 'end_turn' : 'stop_sequence',
    stopSequence: truncated ? null : stopped.stop,
    usage: anthropicUsage(answer.promptTokens, kept.length),
  };
}
