// Seam: a rescuer's events rewritten to continue the caller's stream where the broken one stopped.
import { describe, expect, it } from 'vitest';
import type { ModelEvent, Usage } from '../../src/protocols/model.ts';
import { addUsage, estimatedBrokenUsage, Seam } from '../../src/stream/seam.ts';

const usage = (prompt: number, completion: number): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});
const text = (value: string): ModelEvent => ({ type: 'text', text: value, choice: 0 });
const through = (seam: Seam, events: ModelEvent[]) => events.map((e) => seam.rewrite(e));

describe('Seam', () => {
  it('keeps only the model of the rescuer’s start: the caller’s stream already began', () => {
    const seam = new Seam(undefined, 0, false);
    const start: ModelEvent = { type: 'start', id: 'msg_second', model: 'second-model', created: 99, usage: usage(1, 0) };
    expect(seam.rewrite(start)).toEqual({ type: 'start', model: 'second-model' });
    expect(seam.rewrite({ type: 'start', id: 'msg_second' })).toBeUndefined();
  });

  it('drops the rescuer’s reasoning, its signature and redacted reasoning: the caller read the first vendor’s', () => {
    const seam = new Seam(undefined, 0, false);
    const reasoning: ModelEvent[] = [
      { type: 'reasoning', text: 'hmm', choice: 0 },
      { type: 'reasoning-signature', signature: 'sig', choice: 0 },
      { type: 'redacted-reasoning', data: 'opaque', choice: 0 },
    ];
    expect(through(seam, reasoning)).toEqual([undefined, undefined, undefined]);
  });

  it('passes text, tool calls, finishes, errors and the end marker as they are', () => {
    const seam = new Seam(undefined, 0, false);
    const events: ModelEvent[] = [
      text(' three'),
      { type: 'tool-call', choice: 0, index: 0, arguments: '{}' },
      { type: 'opaque', choice: 0 },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'error', error: { code: 'x', type: '', message: 'm' } },
      { type: 'done' },
    ];
    expect(through(seam, events)).toEqual(events);
  });

  it('trims leading whitespace once when the prefix lost its trailing whitespace, skipping blank pieces', () => {
    const seam = new Seam(undefined, 0, true);
    expect(through(seam, [text(' '), text('\n three'), text(' four')])).toEqual([undefined, text('three'), text(' four')]);
  });

  it('keeps leading whitespace when the prefix was sent whole', () => {
    const seam = new Seam(undefined, 0, false);
    expect(through(seam, [text(' three')])).toEqual([text(' three')]);
  });

  it('keeps trimming through events that are not text until text comes', () => {
    const seam = new Seam(undefined, 0, true);
    expect(through(seam, [{ type: 'start', model: 'm' }, text('  five')])).toEqual([{ type: 'start', model: 'm' }, text('five')]);
  });

  it('adds the broken attempt’s usage to the rescuer’s when it reported one', () => {
    const seam = new Seam(usage(10, 3), 3, false);
    expect(seam.rewrite({ type: 'usage', usage: usage(13, 4) })).toEqual({ type: 'usage', usage: usage(23, 7) });
  });

  it('estimates the broken attempt’s usage from the pieces it sent when it reported none', () => {
    // The rescuer read the prompt plus 3 pieces of prefix: the broken one read 10 and wrote 3.
    const seam = new Seam(undefined, 3, false);
    expect(seam.rewrite({ type: 'usage', usage: usage(13, 4) })).toEqual({ type: 'usage', usage: usage(23, 7) });
  });
});

describe('usage arithmetic', () => {
  it('estimates a broken attempt as the prompt less the prefix, and one token per piece', () => {
    expect(estimatedBrokenUsage(usage(13, 4), 3)).toEqual(usage(10, 3));
    expect(estimatedBrokenUsage(usage(2, 1), 5)).toEqual(usage(0, 5));
  });

  it('adds two usages field by field', () => {
    expect(addUsage(usage(1, 2), usage(1, 1))).toEqual(usage(2, 3));
  });
});
