// An Anthropic-protocol target's stream events turned into chat.completion.chunk data, one event at a time.
import { usageFromAnthropic } from './anthropic-message.ts';
import { finishReasonOf } from './anthropic-stop-reason.ts';
import { isObject, parseJson, type Usage } from './openai.ts';

type Json = Record<string, unknown>;

/** Turns one upstream SSE `data` payload into zero or more OpenAI chunk payloads (or `[DONE]`). */
export type EventTranslator = (data: string) => string[];

/**
 * A translator for one Anthropic stream. Incremental: each event maps to the chunks it stands
 * for at once (text_delta → content, input_json_delta → tool call arguments, thinking_delta →
 * reasoning_content, message_delta → finish and usage chunks, message_stop → `[DONE]`); only the
 * message id, model and input usage are remembered. `error` events pass through (they carry an
 * `error` object, which the relay reads as an in-band error); junk passes through to be counted
 * as malformed; pings and unknown event types are dropped.
 */
export function anthropicEventTranslator(now: number): EventTranslator {
  let base: Json = { id: '', object: 'chat.completion.chunk', created: Math.floor(now / 1000), model: '' };
  let inputUsage: unknown;
  const toolIndex = new Map<number, number>();
  const chunk = (delta: Json, finish: string | null = null): string =>
    JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

  return (data) => {
    const event = parseJson(data);
    if (!isObject(event) || typeof event.type !== 'string') return [data];
    switch (event.type) {
      case 'message_start': {
        const message = isObject(event.message) ? event.message : {};
        base = { ...base, id: message.id ?? '', model: message.model ?? '' };
        inputUsage = message.usage;
        return [chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start':
        return blockStart(event, toolIndex, chunk);
      case 'content_block_delta':
        return blockDelta(event, toolIndex, chunk);
      case 'message_delta': {
        const delta = isObject(event.delta) ? event.delta : {};
        const out = [chunk({}, finishReasonOf(delta.stop_reason))];
        const usage = mergedUsage(inputUsage, event.usage);
        if (usage !== undefined) out.push(JSON.stringify({ ...base, choices: [], usage }));
        return out;
      }
      case 'message_stop':
        return ['[DONE]'];
      case 'error':
        return [data];
      default:
        // ping, content_block_stop, and event types added later.
        return [];
    }
  };
}

type ChunkOf = (delta: Json, finish?: string | null) => string;

function blockStart(event: Json, toolIndex: Map<number, number>, chunk: ChunkOf): string[] {
  const block = isObject(event.content_block) ? event.content_block : {};
  const index = typeof event.index === 'number' ? event.index : 0;
  if (block.type === 'tool_use') {
    const position = toolIndex.size;
    toolIndex.set(index, position);
    return [chunk({ tool_calls: [{ index: position, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
  }
  if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') return [chunk({ content: block.text })];
  return [];
}

function blockDelta(event: Json, toolIndex: Map<number, number>, chunk: ChunkOf): string[] {
  const delta = isObject(event.delta) ? event.delta : {};
  switch (delta.type) {
    case 'text_delta':
      return typeof delta.text === 'string' ? [chunk({ content: delta.text })] : [];
    case 'thinking_delta':
      return typeof delta.thinking === 'string' ? [chunk({ reasoning_content: delta.thinking })] : [];
    case 'input_json_delta': {
      const position = toolIndex.get(typeof event.index === 'number' ? event.index : 0);
      if (position === undefined || typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
      return [chunk({ tool_calls: [{ index: position, function: { arguments: delta.partial_json } }] })];
    }
    default:
      // signature_delta, citations_delta: nothing to say in the OpenAI shape.
      return [];
  }
}

/** message_delta usage carries the output count (and, lately, the input counts too). */
function mergedUsage(start: unknown, delta: unknown): Usage | undefined {
  const merged = { ...(isObject(start) ? start : {}), ...(isObject(delta) ? delta : {}) };
  return usageFromAnthropic(merged);
}
