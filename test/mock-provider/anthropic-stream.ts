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

/**
 * The SSE events of one streamed Anthropic answer: `message_start`, `content_block_start`,
 * `ping`, one `content_block_delta` per piece, `content_block_stop`, `message_delta` (stop reason,
 * output tokens) and `message_stop`, played with the scenario's delays and faults (see
 * `playStream`): `error-event-after` sends `event: error` with an `overloaded_error`, `no-done`
 * withholds `message_stop` and hangs after `message_delta`.
 */
export function anthropicEvents(meta: MessageMeta, answer: AnthropicAnswer, plan: StreamPlan, signal: AbortSignal): AsyncGenerator<string> {
  const script = {
    opening: [messageStart(meta, answer.usage.input_tokens), blockStart(0, answer.start), ping],
    deltas: answer.deltas.map((delta) => blockDelta(0, delta)),
    closing: [blockStop(0), messageDelta(answer.stopReason, answer.stopSequence, answer.usage.output_tokens)],
    done: messageStop,
    errorEvent: streamOverloaded,
    malformed: anthropicMalformed,
  };
  return playStream(script, plan, signal);
}
