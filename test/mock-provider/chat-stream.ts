// Owns the OpenAI stream script of a chat answer; timing and faults are played by stream-script.ts.

import type { ChatAnswer } from './chat-reply.ts';
import type { CompletionMeta } from './openai-wire.ts';
import { chatChunk, sseData, sseDone, sseMalformed, streamError, usageChunk } from './openai-wire.ts';
import type { StreamPlan } from './stream-script.ts';
import { playStream } from './stream-script.ts';

export type { StreamPlan } from './stream-script.ts';

/**
 * The SSE events of one streamed OpenAI answer: the role-only chunk, one chunk per content delta,
 * the finish chunk, the usage chunk when asked for, and `[DONE]`, played with the scenario's
 * delays and faults (see `playStream`; the in-band error is OpenAI's `{"error": {...}}` event).
 */
export function chatEvents(
  meta: CompletionMeta,
  answer: ChatAnswer,
  includeUsage: boolean,
  plan: StreamPlan,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const finish = sseData(chatChunk(meta, {}, answer.finishReason, includeUsage));
  const script = {
    opening: [sseData(chatChunk(meta, answer.roleDelta, null, includeUsage))],
    deltas: answer.deltas.map((delta) => sseData(chatChunk(meta, delta, null, includeUsage))),
    closing: includeUsage ? [finish, sseData(usageChunk(meta, answer.usage))] : [finish],
    done: sseDone,
    errorEvent: sseData(streamError),
    malformed: sseMalformed,
  };
  return playStream(script, plan, signal);
}
