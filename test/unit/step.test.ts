// step: the end-of-stream decisions of a relayed stream, as tables of (state, input) -> (action, state).
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../../src/protocols/model.ts';
import { allFinished, initialState, type StepInput, type StepState, step } from '../../src/stream/step.ts';

const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
const text = (choice = 0): ModelEvent => ({ type: 'text', text: 'Hi', choice });
const finish = (choice = 0): ModelEvent => ({ type: 'finish', choice, reason: 'stop' });
const used: ModelEvent = { type: 'usage', usage };
const call: ModelEvent = { type: 'tool-call', choice: 0, index: 0, id: 'c1', name: 'f', arguments: '' };
const done: ModelEvent = { type: 'done' };
const error = { code: 'server_error', type: '', message: 'boom' };
const failed: ModelEvent = { type: 'error', error };
const events = (...list: ModelEvent[]): StepInput => ({ kind: 'events', events: list });

/** A one-choice stream that a later target could rescue, with overrides. */
const at = (over: Partial<StepState> = {}): StepState => ({ ...initialState(1, true), ...over });
const finished = at({ finished: [0] });

describe('step on events', () => {
  it.each<[string, StepState, StepInput, Partial<StepState>]>([
    ['text', at(), events(text()), {}],
    ['a finish', at(), events(finish()), { finished: [0] }],
    ['a usage report', at(), events(used), { usage: true }],
    ['a tool call', at(), events(call), { toolCall: true }],
    ['a finish and usage in one event', at(), events(text(), finish(), used), { finished: [0], usage: true }],
    ['a second finish of the same choice', finished, events(finish()), { finished: [0] }],
  ])('forwards %s and notes it', (_name, state, input, change) => {
    expect(step(state, input)).toEqual({ state: { ...state, ...change }, action: { do: 'forward' } });
  });

  it.each<[string, StepState, StepInput, Partial<StepState>]>([
    ['the end marker alone', finished, events(done), {}],
    ['the end marker before any finish', at(), events(done), {}],
    ['the end marker with a finish and usage', at(), events(finish(), used, done), { finished: [0], usage: true }],
  ])('finishes, reading the body to its end, on %s', (_name, state, input, change) => {
    expect(step(state, input)).toEqual({ state: { ...state, ...change }, action: { do: 'finish' } });
  });

  it.each<[string, StepState, 'rescue' | 'fail']>([
    ['an unfinished rescuable stream', at(), 'rescue'],
    ['a stream no later target can rescue', at({ rescuable: false }), 'fail'],
    ['a stream holding a tool call', at({ toolCall: true }), 'fail'],
    ['a stream whose every choice finished', finished, 'fail'],
  ])('breaks on an error event in %s: %s', (_name, state, verb) => {
    expect(step(state, events(text(), failed))).toEqual({ state, action: { do: verb, cause: { kind: 'error', error } } });
  });

  it('lets an error event win over a finish and the end marker beside it', () => {
    expect(step(at(), events(finish(), failed, done)).action).toEqual({ do: 'rescue', cause: { kind: 'error', error } });
  });
});

describe('step when nothing is buffered', () => {
  it.each<[string, StepState, StepState['grace'], string]>([
    ['no choice finished', at(), false, 'read'],
    ['every choice finished and usage is known', at({ finished: [0], usage: true }), false, 'finish'],
    ['every choice finished without usage', finished, true, 'arm-grace'],
    ['every choice finished without usage and the grace armed', at({ finished: [0], grace: true }), true, 'read'],
  ])('when %s: %s', (_name, state, grace, verb) => {
    const next = step(state, { kind: 'drained' });
    expect(next.action.do).toBe(verb);
    expect(next.state).toEqual({ ...state, grace });
    if (verb === 'finish') expect(next.action).toEqual({ do: 'finish' });
  });
});

describe('step on a cut or a timeout', () => {
  const cut: StepInput = { kind: 'cut' };
  const idle: StepInput = { kind: 'timeout', phase: 'idle' };
  const attempt: StepInput = { kind: 'timeout', phase: 'attempt' };

  it.each<[string, StepInput, StepState, string, unknown]>([
    ['a cut before the finish', cut, at(), 'rescue', { kind: 'cut' }],
    ['an idle timeout before the finish', idle, at(), 'rescue', { kind: 'timeout', phase: 'idle' }],
    ['an attempt timeout before the finish', attempt, at(), 'rescue', { kind: 'timeout', phase: 'attempt' }],
    ['a cut with no rescuer', cut, at({ rescuable: false }), 'fail', { kind: 'cut' }],
    ['a timeout with no rescuer', idle, at({ rescuable: false }), 'fail', { kind: 'timeout', phase: 'idle' }],
    ['a cut in a tool call', cut, at({ toolCall: true }), 'fail', { kind: 'cut' }],
    ['a timeout in a tool call', attempt, at({ toolCall: true }), 'fail', { kind: 'timeout', phase: 'attempt' }],
  ])('breaks on %s: %s', (_name, input, state, verb, cause) => {
    expect(step(state, input)).toEqual({ state, action: { do: verb, cause } });
  });

  it.each<[string, StepInput, StepState]>([
    ['a cut after the finish, usage known', cut, at({ finished: [0], usage: true })],
    ['a cut after the finish, usage never reported', cut, finished],
    ['the grace timeout after the finish', idle, at({ finished: [0], grace: true })],
    ['an attempt timeout after the finish', attempt, finished],
    ['a cut after the finish of a tool call', cut, at({ finished: [0], toolCall: true })],
  ])('ends a whole answer well on %s', (_name, input, state) => {
    expect(step(state, input)).toEqual({ state, action: { do: 'finish' } });
  });
});

describe('step with several choices (n > 1)', () => {
  // The relay never rescues several choices: it starts them unrescuable.
  const two = initialState(2, false);

  it('starts with no choice finished and no usage', () => {
    expect(two).toEqual({ choices: 2, finished: [], usage: false, grace: false, toolCall: false, rescuable: false });
    expect(allFinished(two)).toBe(false);
  });

  it('reads on while one choice of two is unfinished', () => {
    const one = step(two, events(text(0), text(1), finish(1), used)).state;
    expect(one.finished).toEqual([1]);
    expect(allFinished(one)).toBe(false);
    expect(step(one, { kind: 'drained' }).action).toEqual({ do: 'read' });
  });

  it('does not count a choice that finished twice as two', () => {
    const twice = step(two, events(finish(0), finish(0))).state;
    expect(allFinished(twice)).toBe(false);
  });

  it('finishes once both choices finished and usage is known', () => {
    const both = step(two, events(finish(1), finish(0), used)).state;
    expect(allFinished(both)).toBe(true);
    expect(step(both, { kind: 'drained' }).action).toEqual({ do: 'finish' });
  });

  it('fails, never rescues, a cut while a choice is unfinished', () => {
    const one = step(two, events(finish(0))).state;
    expect(step(one, { kind: 'cut' }).action).toEqual({ do: 'fail', cause: { kind: 'cut' } });
  });

  it('ends well on a cut once both choices finished', () => {
    const both = step(two, events(finish(0), finish(1))).state;
    expect(step(both, { kind: 'cut' }).action).toEqual({ do: 'finish' });
  });
});
