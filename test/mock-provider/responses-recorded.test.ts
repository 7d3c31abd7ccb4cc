// Tests that the mock's Responses wire has the shape of the recorded OpenAI fixtures: field order, event order, event fields (runs in workerd).
/// <reference path="../fixtures/raw.d.ts" />

import { describe, expect, it } from 'vitest';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { createMockProvider } from './handler.ts';
import type { ParsedEvent } from './responses-test-client.ts';
import { parsedEvents, responses } from './responses-test-client.ts';

const getWeather = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** Event names with each run of the same delta event collapsed to one (the mock and the recording split text differently). */
function shape(events: readonly ParsedEvent[]): string[] {
  return events.map((event) => event.name).filter((name, i, names) => !(name.endsWith('.delta') && names[i - 1] === name));
}

function keysByType(events: readonly ParsedEvent[]): Map<string, string[]> {
  return new Map(events.map((event) => [event.name, Object.keys(event.data ?? {})]));
}

describe('the mock Responses wire against the recorded OpenAI answers', () => {
  it('sends a Response with the fields, items and usage details of the recorded answer, in its order', async () => {
    const recorded = JSON.parse(RECORDED.openai.response) as Record<string, unknown> & { output: object[]; usage: object };
    const request = { reasoning: { effort: 'low', summary: 'detailed' } };
    const mock = (await (await responses(createMockProvider(), '', request)).json()) as typeof recorded;
    expect(Object.keys(mock)).toEqual(Object.keys(recorded));
    expect(mock.output.map((item) => Object.keys(item))).toEqual(recorded.output.map((item) => Object.keys(item)));
    expect(JSON.stringify(mock.usage, (_, value) => (typeof value === 'number' ? 0 : value))).toBe(
      JSON.stringify(recorded.usage, (_, value) => (typeof value === 'number' ? 0 : value)),
    );
  });

  it('streams a reasoning item and a function call with the events and event fields of the recorded stream', async () => {
    const recorded = parsedEvents(RECORDED.openai.responseStream);
    const body = { stream: true, input: "What's the weather in Paris?", tools: [getWeather], reasoning: { effort: 'low' } };
    const mock = parsedEvents(await (await responses(createMockProvider(), '', body)).text());
    expect(shape(mock)).toEqual(shape(recorded));
    expect([...keysByType(mock)]).toEqual([...keysByType(recorded)]);
    const items = (events: readonly ParsedEvent[]) =>
      events.filter((event) => event.name.startsWith('response.output_item')).map((event) => Object.keys(Object(event.data?.item)));
    expect(items(mock)).toEqual(items(recorded));
  });

  it('numbers the recorded stream from 0 without gaps, as the mock does', () => {
    const numbers = parsedEvents(RECORDED.openai.responseStream).map((event) => event.data?.sequence_number);
    expect(numbers).toEqual(numbers.map((_, i) => i));
  });
});
