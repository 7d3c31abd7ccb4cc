// Owns the order and timing of a streamed chat answer, including the scripted mid-stream faults.

import type { ChatAnswer } from './chat-reply.ts';
import { ConnectionLost, sleep } from './connection.ts';
import type { CompletionMeta } from './openai-wire.ts';
import { chatChunk, sseData, sseDone, sseMalformed, streamError, usageChunk } from './openai-wire.ts';
import type { Scenario } from './scenario.ts';

/** The scenario fields that shape a stream. */
export type StreamPlan = Pick<
  Scenario,
  'firstTokenDelay' | 'tokenDelay' | 'stallAfter' | 'cutAfter' | 'errorEventAfter' | 'malformedAt' | 'noDone'
>;

type StreamFault = { kind: 'stall' | 'cut' | 'error-event'; after: number };

/** The earliest scripted stream fault, its position clamped to the number of content chunks. */
function firstFault(plan: StreamPlan, chunks: number): StreamFault | undefined {
  const faults: StreamFault[] = [];
  if (plan.cutAfter !== undefined) faults.push({ kind: 'cut', after: plan.cutAfter });
  if (plan.errorEventAfter !== undefined) faults.push({ kind: 'error-event', after: plan.errorEventAfter });
  if (plan.stallAfter !== undefined) faults.push({ kind: 'stall', after: plan.stallAfter });
  const first = faults.reduce<StreamFault | undefined>((best, f) => (best === undefined || f.after < best.after ? f : best), undefined);
  return first && { kind: first.kind, after: Math.min(first.after, chunks) };
}

async function* faultEvents(fault: StreamFault, signal: AbortSignal): AsyncGenerator<string> {
  switch (fault.kind) {
    case 'stall':
      await sleep(Number.POSITIVE_INFINITY, signal);
      return;
    case 'cut':
      throw new ConnectionLost();
    case 'error-event':
      yield sseData(streamError);
      return;
  }
}

/**
 * The SSE events of one streamed answer: the role-only chunk at once, then content chunks
 * (`first-token-delay` before the first, `token-delay` between the others), the finish chunk,
 * the usage chunk when asked for, and `[DONE]`. Faults at "after N" fire once N content chunks
 * were sent; `malformed-at=N` inserts a broken event just before content chunk N (0-based), or
 * before the finish chunk when N is past the end.
 */
export async function* chatEvents(
  meta: CompletionMeta,
  answer: ChatAnswer,
  includeUsage: boolean,
  plan: StreamPlan,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const count = answer.deltas.length;
  const fault = firstFault(plan, count);
  yield sseData(chatChunk(meta, answer.roleDelta, null, includeUsage));
  for (const [i, delta] of answer.deltas.entries()) {
    if (fault?.after === i) return yield* faultEvents(fault, signal);
    await sleep((i === 0 ? plan.firstTokenDelay : plan.tokenDelay) ?? 0, signal);
    if (plan.malformedAt === i) yield sseMalformed;
    yield sseData(chatChunk(meta, delta, null, includeUsage));
  }
  if (fault) return yield* faultEvents(fault, signal);
  if (plan.malformedAt !== undefined && plan.malformedAt >= count) yield sseMalformed;
  yield sseData(chatChunk(meta, {}, answer.finishReason, includeUsage));
  if (includeUsage) yield sseData(usageChunk(meta, answer.usage));
  if (plan.noDone) await sleep(Number.POSITIVE_INFINITY, signal);
  else yield sseDone;
}
