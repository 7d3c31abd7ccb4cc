// Responses streams and whole Responses both ways: ResponsesAssembler for the cache and stored conversations, responseToEvents for a cache hit's replay.
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import { isObject, type Json } from '../../src/protocols/json.ts';
import type { ModelEvent } from '../../src/protocols/model.ts';
import { readResponse } from '../../src/protocols/openai-responses/answer.ts';
import { ResponsesAssembler } from '../../src/protocols/openai-responses/assemble.ts';
import { responsesDecoder } from '../../src/protocols/openai-responses/events-in.ts';
import { responsesEncoder } from '../../src/protocols/openai-responses/events-out.ts';
import { responseToEvents } from '../../src/protocols/openai-responses/replay.ts';
import streamError from '../fixtures/responses/stream-error.sse?raw';
import streamFailed from '../fixtures/responses/stream-failed.sse?raw';
import streamFunctionCall from '../fixtures/responses/stream-function-call.sse?raw';
import streamIncomplete from '../fixtures/responses/stream-incomplete.sse?raw';
import streamReasoning from '../fixtures/responses/stream-reasoning.sse?raw';
import streamText from '../fixtures/responses/stream-text.sse?raw';
import streamWebSearch from '../fixtures/responses/stream-web-search.sse?raw';
import { answerOf, decodeWires, sdkFinalResponse, streamFaults } from './helpers/responses-wire.ts';
import { decodeAll, encodeAll, passAll, sseEvents } from './helpers/wire.ts';

const passed = (stream: string): WireEvent[] => passAll(responsesEncoder(undefined), responsesDecoder(), sseEvents(stream));
const assemble = (wires: readonly WireEvent[], usage?: Parameters<ResponsesAssembler['result']>[0]) => {
  const assembler = new ResponsesAssembler();
  for (const wire of wires) assembler.add(wire);
  return assembler.result(usage);
};
/** The Response a vendor's stream ends with. */
const finalOf = (stream: string): Json => {
  const data = JSON.parse(sseEvents(stream).at(-1)?.data ?? '{}') as Json;
  return isObject(data.response) ? data.response : {};
};
/** The Response a caller's stream ends with. */
const terminalOf = (wires: readonly WireEvent[]): unknown => {
  const data = wires.at(-1)?.data;
  return isObject(data) ? data.response : undefined;
};
const COMPLETE: [string, string][] = [
  ['a text answer', streamText],
  ['a function call', streamFunctionCall],
  ['reasoning with encrypted content and text', streamReasoning],
  ['a web search with cited text', streamWebSearch],
];

describe('ResponsesAssembler', () => {
  it.each(COMPLETE)('assembles a passed-through stream of %s into the Response it ended with', (_name, stream) => {
    expect(assemble(passed(stream))).toEqual(finalOf(stream));
  });

  it('assembles an encoded stream into the Response its terminal event carried', () => {
    const events: ModelEvent[] = [
      { type: 'start', id: 'resp_1', model: 'claude-sonnet-4-5' },
      { type: 'text', text: 'Hi', choice: 0 },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
      { type: 'done' },
    ];
    const wires = encodeAll(responsesEncoder(undefined), events);
    const response = assemble(wires);
    expect(response).toEqual(terminalOf(wires));
    expect(response).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ text: 'Hi' }] }],
      usage: { total_tokens: 6 },
    });
  });

  it('fills usage from the stream’s report when the Response carries none', () => {
    const wires = passed(streamText).map((wire): WireEvent => {
      const data = wire.data as Json;
      return data.type === 'response.completed'
        ? { ...wire, data: { ...data, response: { ...(data.response as Json), usage: null } } }
        : wire;
    });
    expect(assemble(wires, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })).toMatchObject({
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
  });

  it('fills a terminal Response whose output came empty with the items the stream gave whole', () => {
    const wires = passed(streamText).map((wire): WireEvent => {
      const data = wire.data as Json;
      return data.type === 'response.completed'
        ? { ...wire, data: { ...data, response: { ...(data.response as Json), output: [] } } }
        : wire;
    });
    expect(assemble(wires)).toEqual(finalOf(streamText));
  });

  it.each<[string, string]>([
    ['a failed response', streamFailed],
    ['an error event', streamError],
  ])('gives nothing for %s (served, never kept)', (_name, stream) => {
    expect(assemble(passed(stream))).toBeUndefined();
  });

  it('gives an incomplete answer whole, to keep for its conversation, which readResponse never calls cacheable', () => {
    const whole = assemble(passed(streamIncomplete));
    expect(whole).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(readResponse(whole)?.cacheable).toBe(false);
  });

  it('counts what it holds, so the relay can give up past its bound', () => {
    const assembler = new ResponsesAssembler();
    for (const wire of passed(streamText)) assembler.add(wire);
    expect(assembler.size).toBeGreaterThan(JSON.stringify(finalOf(streamText)).length);
  });
});

describe('responseToEvents', () => {
  it.each(COMPLETE)('replays %s as a stream the decoder reads as the same answer as the vendor’s own', (_name, stream) => {
    const vendor = answerOf(decodeAll(responsesDecoder(), sseEvents(stream)));
    expect(answerOf(decodeWires(responseToEvents(finalOf(stream))))).toEqual(vendor);
  });

  it.each(COMPLETE)('replays %s keeping the wire’s rules and ending with the Response itself', (_name, stream) => {
    const wires = responseToEvents(finalOf(stream));
    expect(streamFaults(wires)).toEqual([]);
    expect(terminalOf(wires)).toEqual(finalOf(stream));
  });

  it.each(COMPLETE)('replays %s as a stream the OpenAI SDK accumulates into the same Response', async (_name, stream) => {
    expect(await sdkFinalResponse(responseToEvents(finalOf(stream)))).toMatchObject(finalOf(stream));
  });

  it('replays a stored Response the assembler gets back whole (a cache hit stored again is the same entry)', () => {
    const response = finalOf(streamReasoning);
    expect(assemble(responseToEvents(response))).toEqual(response);
  });

  it('replays a reasoning item without its encrypted content until the item is done', () => {
    const wires = responseToEvents(finalOf(streamReasoning)).map((w) => w.data as Json);
    const added = wires.find((d) => d.type === 'response.output_item.added');
    const done = wires.find((d) => d.type === 'response.output_item.done');
    expect(added?.item).toEqual({ id: expect.stringMatching(/^rs_/), type: 'reasoning', summary: [] });
    expect(done?.item).toMatchObject({ encrypted_content: expect.stringMatching(/^gAAAA/) });
  });

  it('replays an incomplete Response ending with response.incomplete', () => {
    const wires = responseToEvents(finalOf(streamIncomplete));
    expect(wires.at(-1)?.event).toBe('response.incomplete');
    expect(answerOf(decodeWires(wires))).toMatchObject({
      text: 'Once upon a time, in a quiet village by the sea, there lived',
      finish: 'length',
    });
  });
});
