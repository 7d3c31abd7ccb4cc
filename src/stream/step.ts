// The end-of-stream decisions of a relayed stream, as one pure step: given where the stream stands and what happened, what next.
import type { TimeoutPhase } from '../pipeline/fallback.ts';
import type { ErrorInfo, ModelEvent } from '../protocols/model.ts';

/** Where a relayed stream stands. */
export interface StepState {
  /** Choices the caller asked for (`n`). */
  choices: number;
  /** Choices that finished. */
  finished: readonly number[];
  /** Usage was reported. */
  usage: boolean;
  /** Every choice finished and the short wait for a late usage report began. */
  grace: boolean;
  /** The answer holds a tool call (such a stream is never continued by another vendor). */
  toolCall: boolean;
  /** A later target could continue the answer should this stream break. */
  rescuable: boolean;
}

/** What happened: events read, nothing left to read for now, the body's end, or a timer. */
export type StepInput =
  | { kind: 'events'; events: readonly ModelEvent[] }
  | { kind: 'drained' }
  | { kind: 'cut' }
  | { kind: 'timeout'; phase: TimeoutPhase };

/** Why a stream broke before its answer was whole. */
export type BreakCause = { kind: 'cut' } | { kind: 'timeout'; phase: TimeoutPhase } | { kind: 'error'; error: ErrorInfo };

export type StepAction =
  /** Pass the events on and read on. */
  | { do: 'forward' }
  | { do: 'read' }
  /** Every choice finished but usage has not come: wait a little for it. */
  | { do: 'arm-grace' }
  /** The answer is whole: end the stream well. */
  | { do: 'finish' }
  /** Ask a later target to continue the answer. */
  | { do: 'rescue'; cause: BreakCause }
  /** End the stream with an in-band error. */
  | { do: 'fail'; cause: BreakCause };

export function initialState(choices: number, rescuable: boolean): StepState {
  return { choices, finished: [], usage: false, grace: false, toolCall: false, rescuable };
}

/** Whether every choice the caller asked for finished. */
export function allFinished(state: StepState): boolean {
  return state.finished.length >= state.choices;
}

/**
 * One decision. An error event always breaks the stream; the vendor's end marker finishes it; a cut
 * or a timeout after every choice finished is a whole answer (the usage report or the end marker
 * never came), before that a break. A break is rescued when a later target can continue a stream
 * that is not a tool call and is still unfinished, else it fails. Once nothing is buffered after
 * every choice finished, the stream ends when usage is known, else after a short grace.
 */
export function step(state: StepState, input: StepInput): { state: StepState; action: StepAction } {
  switch (input.kind) {
    case 'events': {
      const error = input.events.find((e) => e.type === 'error');
      if (error?.type === 'error') return broken(state, { kind: 'error', error: error.error });
      const next = absorb(state, input.events);
      if (input.events.some((e) => e.type === 'done')) return { state: next, action: { do: 'finish' } };
      return { state: next, action: { do: 'forward' } };
    }
    case 'drained':
      if (!allFinished(state)) return { state, action: { do: 'read' } };
      if (state.usage) return { state, action: { do: 'finish' } };
      if (!state.grace) return { state: { ...state, grace: true }, action: { do: 'arm-grace' } };
      return { state, action: { do: 'read' } };
    case 'cut':
      return allFinished(state) ? { state, action: { do: 'finish' } } : broken(state, { kind: 'cut' });
    case 'timeout':
      return allFinished(state) ? { state, action: { do: 'finish' } } : broken(state, { kind: 'timeout', phase: input.phase });
  }
}

function broken(state: StepState, cause: BreakCause): { state: StepState; action: StepAction } {
  const rescue = state.rescuable && !state.toolCall && !allFinished(state);
  return { state, action: rescue ? { do: 'rescue', cause } : { do: 'fail', cause } };
}

/** The state after events that carry no error. */
function absorb(state: StepState, events: readonly ModelEvent[]): StepState {
  let next = state;
  for (const event of events) {
    if (event.type === 'finish' && !next.finished.includes(event.choice)) next = { ...next, finished: [...next.finished, event.choice] };
    else if (event.type === 'usage' && !next.usage) next = { ...next, usage: true };
    else if (event.type === 'tool-call' && !next.toolCall) next = { ...next, toolCall: true };
  }
  return next;
}
