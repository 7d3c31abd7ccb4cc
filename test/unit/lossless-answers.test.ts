// Same protocol is lossless, answers (SPEC section 2): the caller gets the vendor's events and whole answers as the vendor sent them.
import { describe, expect, it } from 'vitest';
import type { CallerRequest, SseEvent } from '../../src/protocols/adapter.ts';
import { anthropicDecoder } from '../../src/protocols/anthropic/events-in.ts';
import { embeddingsCaller } from '../../src/protocols/openai-chat/embeddings.ts';
import { chunkDecoder } from '../../src/protocols/openai-chat/events.ts';
import { targetCall, wholeAnswer } from '../../src/protocols/registry.ts';
import textMessage from '../fixtures/anthropic/message-text.json?raw';
import thinkingMessage from '../fixtures/anthropic/message-thinking.json?raw';
import toolMessage from '../fixtures/anthropic/message-tool-use.json?raw';
import streamError from '../fixtures/anthropic/stream-error.sse?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { anthropicMessageText, anthropicStream, chatStream } from './helpers/answers.ts';
import { httpWith, type ProviderId, parseChat, parseMessages, targetOn } from './helpers/config.ts';
import { seeded } from './helpers/seeded.ts';
import { passAll, sseEvents, sseOf, sseText } from './helpers/wire.ts';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const ask = [{ role: 'user', content: 'hi' }];
const messagesRequest = (thinking: boolean) =>
  parseMessages({ model: 'chat', max_tokens: 9, stream: true, messages: ask, ...(thinking ? { thinking: { type: 'adaptive' } } : {}) });
const chatRequest = (wantsUsage: boolean) =>
  parseChat({ model: 'chat', messages: ask, stream: true, ...(wantsUsage ? { stream_options: { include_usage: true } } : {}) });

/** What a same-protocol caller reads of a vendor stream, as bytes, with the encoder to ask what the end still needs. */
function passed(request: CallerRequest, events: readonly SseEvent[]) {
  const encoder = request.encoder();
  const decoder = request.caller.id === 'anthropic-messages' ? anthropicDecoder() : chunkDecoder();
  const out = passAll(encoder, decoder, events);
  return { out, text: sseText(out), end: encoder.end() };
}
const isUsageOnly = (sse: SseEvent) => sse.data !== '[DONE]' && (JSON.parse(sse.data) as { choices?: unknown[] }).choices?.length === 0;

/** A whole answer through the same-protocol path, as the caller gets it. */
function whole(request: CallerRequest, provider: ProviderId, raw: string) {
  const target = targetOn(provider);
  return wholeAnswer(request, target, targetCall(request, target, 'k'), JSON.parse(raw), raw);
}

describe('Anthropic streams to an Anthropic caller', () => {
  it.each([
    ['text', streamText],
    ['thinking and tool-use', streamToolUse],
  ])('passes the recorded %s stream event for event, names and data text unchanged, needing nothing at the end', (_name, text) => {
    const events = sseEvents(text);
    for (const thinking of [false, true]) {
      const { out, text: got, end } = passed(messagesRequest(thinking), events);
      expect(out.map((e) => [e.event, e.raw])).toEqual(events.map((e) => [e.event, e.data]));
      expect(got).toBe(sseOf(events));
      expect(end).toEqual([]);
    }
  });

  it('passes the recorded stream that ends in an error event as sent', () => {
    const events = sseEvents(streamError);
    expect(passed(messagesRequest(false), events).text).toBe(sseOf(events));
  });

  it('generates every block and delta kind across the seeds', () => {
    const text = SEEDS.flatMap((seed) => anthropicStream(seeded(seed)).map((e) => e.data)).join('\n');
    for (const kind of [
      'signature_delta',
      'citations_delta',
      'redacted_thinking',
      'server_tool_use',
      'web_search_tool_result',
      'input_json_delta',
      'future_delta',
      'ping',
      'some_future_event',
    ])
      expect(text).toContain(`"${kind}"`);
  });

  it.each(SEEDS)('passes a generated stream (seed %i) with every block kind, citations and signatures as sent', (seed) => {
    const events = anthropicStream(seeded(seed));
    const { text, end } = passed(messagesRequest(seed % 2 === 0), events);
    expect(text).toBe(sseOf(events));
    expect(end).toEqual([]);
  });
});

describe('Chat Completions streams to an OpenAI caller', () => {
  // Groq and Moonshot put usage where SDKs do not look; the proxy also gives it top-level (documented).
  const asSent = (Object.keys(RECORDED) as (keyof typeof RECORDED)[]).filter((p) => p !== 'groq' && p !== 'moonshot');
  const streams = asSent.flatMap((preset) =>
    Object.entries(RECORDED[preset])
      .filter(([name]) => name.startsWith('stream'))
      .map(([name, text]) => [`${preset} ${name}`, text] as const),
  );

  it.each(streams)('passes the recorded %s to a caller that asked for usage exactly as sent', (_name, text) => {
    expect(passed(chatRequest(true), sseEvents(text)).text).toBe(sseOf(sseEvents(text)));
  });

  it.each(streams)(
    'passes the recorded %s to a caller that did not ask for usage without the usage-only chunk the proxy asked for',
    (_name, text) => {
      const events = sseEvents(text);
      expect(passed(chatRequest(false), events).text).toBe(sseOf(events.filter((e) => !isUsageOnly(e))));
    },
  );

  it.each(['groq', 'moonshot'] as const)('passes the recorded %s stream as sent but for its usage, also given top-level', (preset) => {
    const events = sseEvents(RECORDED[preset].stream);
    const { out } = passed(chatRequest(true), events);
    expect(out).toHaveLength(events.length);
    for (const [i, sse] of events.entries()) {
      const wire = out[i];
      if (wire?.raw !== undefined) expect(wire.raw).toBe(sse.data);
      else expect(wire?.data).toEqual({ ...JSON.parse(sse.data), usage: expect.objectContaining({ total_tokens: expect.any(Number) }) });
    }
    expect(out.filter((w) => w.raw === undefined)).toHaveLength(1);
  });

  it.each(SEEDS)('passes a generated stream (seed %i) with vendor extensions as sent', (seed) => {
    const events = chatStream(seeded(seed));
    expect(passed(chatRequest(true), events).text).toBe(sseOf(events));
    expect(passed(chatRequest(false), events).text).toBe(sseOf(events.filter((e) => !isUsageOnly(e))));
  });
});

describe('whole answers to a caller of the vendor’s protocol', () => {
  it.each([
    ['text', textMessage],
    ['thinking', thinkingMessage],
    ['tool-use', toolMessage],
  ])('gives an Anthropic caller the recorded %s message as the vendor’s text', (_name, raw) => {
    const result = whole(messagesRequest(false), 'claude', raw);
    expect(result?.text).toBe(raw);
    expect(result?.facts.model).toBe('claude-sonnet-4-5-20250929');
  });

  it.each(SEEDS)('gives an Anthropic caller a generated message (seed %i) as the vendor’s text', (seed) => {
    const raw = anthropicMessageText(seeded(seed));
    expect(whole(messagesRequest(seed % 2 === 0), 'claude', raw)?.text).toBe(raw);
  });

  it.each(Object.keys(RECORDED) as (keyof typeof RECORDED)[])(
    'gives an OpenAI caller the recorded %s completion as the vendor’s text',
    (preset) => {
      const raw = RECORDED[preset].completion;
      const result = whole(chatRequest(false), 'oai', raw);
      expect(result?.text).toBe(raw);
      expect(result?.facts).toMatchObject({ model: JSON.parse(raw).model, cacheable: true });
    },
  );

  it('gives an embeddings caller the vendor’s list as its text, with its prompt tokens', () => {
    const raw =
      '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2]}],"model":"e-1","usage":{"prompt_tokens":3,"total_tokens":3}}';
    const result = whole(embeddingsCaller.parse({ model: 'e', input: 'x' }, httpWith()), 'oai', raw);
    expect(result).toEqual({
      text: raw,
      facts: { model: 'e-1', usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 }, cacheable: true },
    });
  });

  it('gives no answer for a body of the wrong shape, so the attempt counts as a bad response', () => {
    expect(whole(chatRequest(false), 'oai', textMessage)).toBeUndefined();
    expect(whole(messagesRequest(false), 'claude', RECORDED.openai.completion)).toBeUndefined();
  });
});
