// An Anthropic stream's events read into internal events, one at a time.
import type { EventDecoder } from '../adapter.ts';
import { readErrorInfo } from '../error-info.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import type { ModelEvent } from '../model.ts';
import { usageFromAnthropic } from './message.ts';
import { finishReasonOf } from './stop-reason.ts';

/** What the decoder remembers of one stream: tool positions by block index, server-tool blocks, input usage. */
interface StreamState {
  tools: Map<number, number>;
  opaque: Set<number>;
  inputUsage: unknown;
}

/**
 * A decoder for one Anthropic stream: `message_start` starts the answer; text, thinking, signature
 * and input_json deltas, tool_use and redacted_thinking blocks become their events; server-tool
 * blocks and citations are opaque output; `message_delta` gives the finish and usage (its input
 * counts merged with `message_start`'s); `message_stop` ends it; an `error` event is an error. A
 * block start with nothing in it, pings and block stops are not tokens. Data without a `type` is
 * malformed.
 */
export function anthropicDecoder(): EventDecoder {
  const state: StreamState = { tools: new Map(), opaque: new Set(), inputUsage: undefined };
  return (_sse, event) => {
    if (!isObject(event) || typeof event.type !== 'string') return undefined;
    switch (event.type) {
      case 'message_start': {
        const message = isObject(event.message) ? event.message : {};
        state.inputUsage = message.usage;
        const start: ModelEvent = { type: 'start' };
        if (typeof message.id === 'string') start.id = message.id;
        if (typeof message.model === 'string') start.model = message.model;
        return [start];
      }
      case 'content_block_start':
        return blockStart(event, state);
      case 'content_block_delta':
        return blockDelta(event, state);
      case 'message_delta': {
        const delta = isObject(event.delta) ? event.delta : {};
        const out: ModelEvent[] = [];
        if (delta.stop_reason != null) out.push({ type: 'finish', choice: 0, reason: finishReasonOf(delta.stop_reason) });
        const usage = usageFromAnthropic({
          ...(isObject(state.inputUsage) ? state.inputUsage : {}),
          ...(isObject(event.usage) ? event.usage : {}),
        });
        if (usage !== undefined) out.push({ type: 'usage', usage });
        return out;
      }
      case 'message_stop':
        return [{ type: 'done' }];
      case 'error':
        return [{ type: 'error', error: readErrorInfo(event) }];
      default:
        // ping, content_block_stop, and event types added later.
        return [];
    }
  };
}

function blockStart(event: Json, state: StreamState): ModelEvent[] {
  const block = isObject(event.content_block) ? event.content_block : {};
  const index = typeof event.index === 'number' ? event.index : 0;
  switch (block.type) {
    case 'tool_use': {
      const position = state.tools.size;
      state.tools.set(index, position);
      return [
        { type: 'tool-call', choice: 0, index: position, id: stringOr(block.id) ?? '', name: stringOr(block.name) ?? '', arguments: '' },
      ];
    }
    case 'text':
      return block.text ? [{ type: 'text', text: String(block.text), choice: 0 }] : [];
    case 'thinking':
      return block.thinking ? [{ type: 'reasoning', text: String(block.thinking), choice: 0 }] : [];
    case 'redacted_thinking':
      return [{ type: 'redacted-reasoning', data: stringOr(block.data) ?? '', choice: 0 }];
    default:
      // server_tool_use, web_search_tool_result and blocks added later: output only this protocol can show.
      state.opaque.add(index);
      return [{ type: 'opaque', choice: 0 }];
  }
}

function blockDelta(event: Json, state: StreamState): ModelEvent[] {
  const delta = isObject(event.delta) ? event.delta : {};
  const index = typeof event.index === 'number' ? event.index : 0;
  if (state.opaque.has(index)) return [{ type: 'opaque', choice: 0 }];
  switch (delta.type) {
    case 'text_delta':
      return typeof delta.text === 'string' ? [{ type: 'text', text: delta.text, choice: 0 }] : [];
    case 'thinking_delta':
      return typeof delta.thinking === 'string' ? [{ type: 'reasoning', text: delta.thinking, choice: 0 }] : [];
    case 'signature_delta':
      return typeof delta.signature === 'string' ? [{ type: 'reasoning-signature', signature: delta.signature, choice: 0 }] : [];
    case 'input_json_delta': {
      const position = state.tools.get(index);
      if (position === undefined || typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
      return [{ type: 'tool-call', choice: 0, index: position, arguments: delta.partial_json }];
    }
    default:
      // citations_delta and delta types added later.
      return [{ type: 'opaque', choice: 0 }];
  }
}
