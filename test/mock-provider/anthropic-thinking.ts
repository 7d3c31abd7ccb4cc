// Owns the thinking blocks the mock answers with when a request turns thinking on: their text, signature and stream deltas. Pure.

import type { BlockDelta, ContentBlock, ThinkingBlock } from './anthropic-wire.ts';
import type { Answer } from './chat-reply.ts';
import { splitPieces, thirds } from './chat-reply.ts';
import { redactThinking, signOmittedThinking, signThinking } from './thinking-signature.ts';

/** One content block as streamed: what `content_block_start` announces, then its deltas. */
export type StreamedBlock = { start: ContentBlock; deltas: BlockDelta[] };

/** How a request asked for thinking (`thinking.display`), and whether the scenario adds a redacted block. */
export type ThinkingPlan = { display: 'summarized' | 'omitted'; redacted: boolean };

/** The thinking blocks that precede an answer, whole and streamed, and the output tokens they cost. */
export type ThinkingBlocks = { content: ContentBlock[]; streamed: StreamedBlock[]; tokens: number };

/** A short reasoning text, deterministic in the answer it leads to. */
export function thinkingText(answer: Answer): string {
  if (answer.kind === 'tool') return `The user wants the ${answer.name} tool, so I will call it with ${answer.arguments}.`;
  const gist = answer.text.length > 60 ? `${answer.text.slice(0, 60)}…` : answer.text;
  return `No tool is needed here. I will reply: ${JSON.stringify(gist)}.`;
}

/**
 * The blocks before the answer: a `redacted_thinking` block when the plan says so (its `data`
 * mock-issued and verifiable; streamed as a whole block with no deltas), then a `thinking` block
 * signed by the mock for exactly its text. With `display: 'omitted'` the thinking text is empty
 * (Anthropic's omitted display), the signature seals the hidden reasoning and is all that is
 * streamed; the hidden reasoning still counts as output tokens.
 */
export function thinkingBlocks(thinking: string, plan: ThinkingPlan): ThinkingBlocks {
  const omitted = plan.display === 'omitted';
  const shown = omitted ? '' : thinking;
  const block: ThinkingBlock = {
    type: 'thinking',
    thinking: shown,
    signature: omitted ? signOmittedThinking(thinking) : signThinking(shown),
  };
  const deltas: BlockDelta[] = thirds(shown).map((piece) => ({ type: 'thinking_delta', thinking: piece }));
  const signed: StreamedBlock = {
    start: { type: 'thinking', thinking: '', signature: '' },
    deltas: [...deltas, { type: 'signature_delta', signature: block.signature }],
  };
  const tokens = splitPieces(thinking).length;
  if (!plan.redacted) return { content: [block], streamed: [signed], tokens };
  const hidden = `Reasoning the safety systems redacted, ahead of: ${thinking}`;
  const redacted: ContentBlock = { type: 'redacted_thinking', data: redactThinking(hidden) };
  return { content: [redacted, block], streamed: [{ start: redacted, deltas: [] }, signed], tokens: tokens + splitPieces(hidden).length };
}
