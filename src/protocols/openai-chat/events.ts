// Chat Completions streams: vendor chunks read into internal events, and a caller's stream written from either.
import type { EventDecoder, SseEvent, StreamEncoder, WireEvent } from '../adapter.ts';
import { readErrorInfo } from '../error-info.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import type { ModelEvent } from '../model.ts';
import { finishOf } from './answer.ts';
import { openaiUsage, usageOf } from './usage.ts';

// Finish reasons that end a choice because the vendor failed, not because the answer is done:
// OpenRouter's mid-stream error chunk, Zhipu's `network_error` (inference failed) and DeepSeek's
// `insufficient_system_resource` (inference cut short for lack of capacity).
const FAILED_FINISH = new Set(['error', 'network_error', 'insufficient_system_resource']);

/**
 * A decoder for one `chat.completion.chunk` stream: the first chunk also starts the answer (id,
 * model, created); content, reasoning (`reasoning_content`, or `reasoning` as OpenRouter, Ollama
 * and Groq name it), refusals (as text), tool-call deltas, finishes and usage (wherever the vendor
 * puts it) become events. An `error` object, or a choice finished with a failure reason, is an
 * error event. A chunk without a `choices` list is malformed.
 */
export function chunkDecoder(): EventDecoder {
  let started = false;
  return (sse, parsed) => {
    if (sse.data === '[DONE]') return [{ type: 'done' }];
    if (!isObject(parsed)) return undefined;
    if (parsed.error !== undefined && parsed.error !== null) return [{ type: 'error', error: readErrorInfo(parsed) }];
    if (!Array.isArray(parsed.choices)) return undefined;
    const events: ModelEvent[] = [];
    if (!started) {
      started = true;
      const start: ModelEvent = { type: 'start' };
      if (typeof parsed.id === 'string') start.id = parsed.id;
      if (typeof parsed.model === 'string') start.model = parsed.model;
      if (typeof parsed.created === 'number') start.created = parsed.created;
      events.push(start);
    }
    for (const choice of parsed.choices) {
      if (!isObject(choice)) return undefined;
      const failed = choiceEvents(choice, events);
      if (failed !== undefined) return [failed];
    }
    const usage = usageOf(parsed);
    if (usage !== undefined) events.push({ type: 'usage', usage });
    return events;
  };
}

/** Adds one choice's events; returns an error event instead when the choice finished failed. */
function choiceEvents(choice: Json, events: ModelEvent[]): ModelEvent | undefined {
  const index = typeof choice.index === 'number' ? choice.index : 0;
  const delta = isObject(choice.delta) ? choice.delta : {};
  const reasoning = stringOr(delta.reasoning_content) ?? stringOr(delta.reasoning);
  if (reasoning) events.push({ type: 'reasoning', text: reasoning, choice: index });
  const text = stringOr(delta.content);
  if (text) events.push({ type: 'text', text, choice: index });
  const refusal = stringOr(delta.refusal);
  if (refusal) events.push({ type: 'text', text: refusal, choice: index });
  if (Array.isArray(delta.tool_calls)) {
    for (const [position, call] of delta.tool_calls.entries()) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      const event: ModelEvent = {
        type: 'tool-call',
        choice: index,
        index: typeof call.index === 'number' ? call.index : position,
        arguments: stringOr(fn.arguments) ?? '',
      };
      if (typeof call.id === 'string') event.id = call.id;
      if (typeof fn.name === 'string') event.name = fn.name;
      events.push(event);
    }
  }
  const finish = choice.finish_reason;
  if (typeof finish === 'string') {
    if (FAILED_FINISH.has(finish)) {
      return { type: 'error', error: { code: finish, type: '', message: `The stream ended with finish_reason "${finish}".` } };
    }
    events.push({ type: 'finish', choice: index, reason: finishOf(finish) });
  }
  return undefined;
}

/** The in-band error event that ends an OpenAI stream: an `error` object and no `[DONE]`, so SDKs raise. */
export function chatStreamError(code: string, message: string): WireEvent {
  return { data: { error: { message, type: 'upstream_error', code, param: null } } };
}

/**
 * Writes a Chat Completions caller's stream. Passed-through chunks keep their bytes, except that a
 * usage-only chunk is dropped unless the caller asked for usage, and usage found elsewhere (a
 * choice, Groq's `x_groq`) is given top-level, where SDKs read it. Encoded chunks keep the id and
 * created time of the stream's first chunk and name the model of the latest segment.
 */
export function chatEncoder(wantsUsage: boolean): StreamEncoder {
  let id: unknown;
  let created: unknown;
  let model: unknown;
  let started = false;
  let ended = false;
  const chunk = (choice: number, delta: Json, finish: string | null = null): WireEvent => ({
    data: {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: choice, delta, logprobs: null, finish_reason: finish }],
    },
  });
  const learn = (value: Json): void => {
    if (!started) {
      started = true;
      id = value.id;
      created = value.created;
    }
    if (value.model !== undefined) model = value.model;
  };
  return {
    pass(sse: SseEvent, parsed: unknown): WireEvent[] {
      if (sse.data === '[DONE]') {
        ended = true;
        return [{ data: '[DONE]', raw: '[DONE]' }];
      }
      if (!isObject(parsed)) return [];
      learn(parsed);
      const usage = usageOf(parsed);
      // The usage-only chunk the proxy asked for is the caller's only when it asked too; other chunks
      // without choices (Azure's prompt filter results) pass.
      if (!wantsUsage && usage !== undefined && Array.isArray(parsed.choices) && parsed.choices.length === 0) return [];
      if (usage !== undefined && !isObject(parsed.usage)) return [{ data: { ...parsed, usage: openaiUsage(usage) } }];
      return [{ data: parsed, raw: sse.data }];
    },
    encode(event: ModelEvent): WireEvent[] {
      switch (event.type) {
        case 'start': {
          const first = !started;
          learn({
            id: event.id ?? `chatcmpl-${crypto.randomUUID()}`,
            created: event.created ?? Math.floor(Date.now() / 1000),
            model: event.model,
          });
          return first ? [chunk(0, { role: 'assistant', content: '' })] : [];
        }
        case 'text':
          return [chunk(event.choice, { content: event.text })];
        case 'reasoning':
          return [chunk(event.choice, { reasoning_content: event.text })];
        case 'tool-call': {
          const call: Json = { index: event.index, function: { arguments: event.arguments } };
          if (event.id !== undefined) Object.assign(call, { id: event.id, type: 'function' });
          if (event.name !== undefined) (call.function as Json).name = event.name;
          return [chunk(event.choice, { tool_calls: [call] })];
        }
        case 'finish':
          return [chunk(event.choice, {}, event.reason)];
        case 'usage':
          return wantsUsage
            ? [{ data: { id, object: 'chat.completion.chunk', created, model, choices: [], usage: openaiUsage(event.usage) } }]
            : [];
        case 'done':
          ended = true;
          return [{ data: '[DONE]' }];
        default:
          // Signatures, redacted reasoning and vendor-only blocks have no place in a Chat Completions stream.
          return [];
      }
    },
    end() {
      if (ended) return [];
      ended = true;
      return [{ data: '[DONE]' }];
    },
    fail(code, message) {
      ended = true;
      return [chatStreamError(code, message)];
    },
  };
}
