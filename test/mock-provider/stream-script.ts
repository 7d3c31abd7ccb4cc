// Owns the timing and the mid-stream faults of any streamed answer, whatever its wire: one script, one fault engine.

import { ConnectionLost, sleep } from './connection.ts';
import type { Scenario } from './scenario.ts';

/** The scenario fields that shape a stream. */
export type StreamPlan = Pick<
  Scenario,
  'firstTokenDelay' | 'tokenDelay' | 'stallAfter' | 'cutAfter' | 'errorEventAfter' | 'malformedAt' | 'noDone'
>;

/**
 * One streamed answer as ready-to-send SSE events, in a wire's own framing. Faults and delays
 * count `deltas` (the content events), so `cut-after=2` means the same on every wire.
 */
export type StreamScript = {
  /** Sent at once, before any content (OpenAI: the role chunk; Anthropic: message_start, content_block_start, ping). */
  opening: readonly string[];
  /**
   * One entry per content event. An entry may begin with framing events that carry no content
   * (Anthropic's `content_block_stop` and next `content_block_start` between blocks); they are sent
   * with it and never counted on their own.
   */
  deltas: readonly string[];
  /** Sent after the last content event (OpenAI: finish and usage chunks; Anthropic: content_block_stop, message_delta). */
  closing: readonly string[];
  /** The terminator (`[DONE]`, `message_stop`); with `no-done` the stream hangs instead of sending it. */
  done: string;
  /** The in-band error `error-event-after` ends the stream with. */
  errorEvent: string;
  /** The broken event `malformed-at` inserts. */
  malformed: string;
};

type StreamFault = { kind: 'stall' | 'cut' | 'error-event'; after: number };

/** The earliest scripted stream fault, its position clamped to the number of content events. */
function firstFault(plan: StreamPlan, deltas: number): StreamFault | undefined {
  const faults: StreamFault[] = [];
  if (plan.cutAfter !== undefined) faults.push({ kind: 'cut', after: plan.cutAfter });
  if (plan.errorEventAfter !== undefined) faults.push({ kind: 'error-event', after: plan.errorEventAfter });
  if (plan.stallAfter !== undefined) faults.push({ kind: 'stall', after: plan.stallAfter });
  const first = faults.reduce<StreamFault | undefined>((best, f) => (best === undefined || f.after < best.after ? f : best), undefined);
  return first && { kind: first.kind, after: Math.min(first.after, deltas) };
}

async function* faultEvents(fault: StreamFault, errorEvent: string, signal: AbortSignal): AsyncGenerator<string> {
  switch (fault.kind) {
    case 'stall':
      await sleep(Number.POSITIVE_INFINITY, signal);
      return;
    case 'cut':
      throw new ConnectionLost();
    case 'error-event':
      yield errorEvent;
      return;
  }
}

/**
 * Plays `script` with the scenario's timing and faults: the opening at once, then the content
 * events (`first-token-delay` before the first, `token-delay` before each other), the closing
 * events and the terminator. A fault "after N" (`stall-after`, `cut-after`, `error-event-after`;
 * the earliest wins) fires once N content events were sent, before the closing when N is past
 * the end. `malformed-at=N` inserts a broken event just before content event N (0-based), or
 * before the closing when N is past the end, and the stream carries on. `no-done` sends the
 * closing but never the terminator, then hangs until the reader goes away.
 */
export async function* playStream(script: StreamScript, plan: StreamPlan, signal: AbortSignal): AsyncGenerator<string> {
  const count = script.deltas.length;
  const fault = firstFault(plan, count);
  yield* script.opening;
  for (const [i, delta] of script.deltas.entries()) {
    if (fault?.after === i) return yield* faultEvents(fault, script.errorEvent, signal);
    await sleep((i === 0 ? plan.firstTokenDelay : plan.tokenDelay) ?? 0, signal);
    if (plan.malformedAt === i) yield script.malformed;
    yield delta;
  }
  if (fault) return yield* faultEvents(fault, script.errorEvent, signal);
  if (plan.malformedAt !== undefined && plan.malformedAt >= count) yield script.malformed;
  yield* script.closing;
  if (plan.noDone) await sleep(Number.POSITIVE_INFINITY, signal);
  else yield script.done;
}
