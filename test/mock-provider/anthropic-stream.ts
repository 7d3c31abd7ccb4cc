// Owns the Anthropic stream script of an answer; timing and faults are played by stream-script.ts.

import type { AnthropicAnswer } from './anthropic-answer.ts';
import type { MessageMeta } from './anthropic-wire.ts';
import {
  anthropicMalformed,
  blockDelta,
  blockStart,
  blockStop,
  messageDelta,
  messageStart,
  messageStop,
  ping,
  streamOverloaded,
} from './anthropic-wire.ts';
import type { StreamPlan } from './stream-script.ts';
import { playStream } from './stream-script.ts';

/** The stream's content steps: each delta event, preceded by the framing (previous block's stop, this block's start) it opens with. */
function steps(answer: AnthropicAnswer): { opening: string[]; deltas: string[]; pending: string[]; last: number } {
  const [first, ...rest] = answer.blocks;
  const opening = first === undefined ? [] : [blockStart(0, first.start), ping];
  const deltas: string[] = [];
  let pending: string[] = [];
  for (const [index, block] of answer.blocks.entries()) {
    if (index > 0) pending.push(blockStop(index - 1), blockStart(index, block.start));
    for (const delta of block.deltas) {
      deltas.push([...pending, blockDelta(index, delta)].join(''));
      pending = [];
    }
  }
  return { opening, deltas, pending, last: rest.length };
}

/**
 * The SSE events of one streamed Anthropic answer: `message_start`, the first block's
 * `content_block_start`, `ping`, then each block's `content_block_delta`s (text, partial JSON,
 * thinking, signature or citation), with `content_block_stop` and the next `content_block_start`
 * between blocks, the last `content_block_stop`, `message_delta` (stop reason, output tokens) and
 * `message_stop`, played with the scenario's delays and faults (see `playStream`; every
 * `content_block_delta` counts as a content event, the block framing rides with the delta after
 * it): `error-event-after` sends `event: error` with an `overloaded_error`, `no-done` withholds
 * `message_stop` and hangs after `message_delta`.
 */
export function anthropicEvents(meta: MessageMeta, answer: AnthropicAnswer, plan: StreamPlan, signal: AbortSignal): AsyncGenerator<string> {
  const { opening, deltas, pending, last } = steps(answer);
  const script = {
    opening: [messageStart(meta, answer.usage.input_tokens), ...opening],
    deltas,
    closing: [...pending, blockStop(last), messageDelta(answer.stopReason, answer.stopSequence, answer.usage.output_tokens)],
    done: messageStop,
    errorEvent: streamOverloaded,
    malformed: anthropicMalformed,
  };
  return playStream(script, plan, signal);
}
