// Writes an Anthropic caller's stream: the vendor's own events passed on, or internal events encoded, on one stream.
import type { SseEvent, StreamEncoder, WireEvent } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import type { ModelEvent, Usage } from '../model.ts';
import { anthropicUsage, messageId } from './message.ts';
import { stopReasonOf } from './stop-reason.ts';

type BlockKind = 'text' | 'thinking' | 'tool' | 'other';

/** The kind of a passed-through block, so encoded text continues an open text block. */
function kindOf(block: unknown): BlockKind {
  const type = isObject(block) ? block.type : undefined;
  return type === 'text' ? 'text' : type === 'thinking' ? 'thinking' : type === 'tool_use' ? 'tool' : 'other';
}

const event = (name: string, data: Json): WireEvent => ({ event: name, data: { type: name, ...data } });

/** The in-band error event that ends an Anthropic stream, so SDKs raise. */
export function anthropicStreamError(message: string): WireEvent {
  return event('error', { error: { type: 'api_error', message } });
}

/**
 * An encoder for one Anthropic caller. Passed-through events keep their bytes; the encoder only
 * notes where the stream stands (message started, which block is open, the next block index, the
 * message delta sent), so that internal events encoded later (a translated stream, or another
 * vendor continuing a broken one) open their blocks at the right indexes. Encoding: a content block
 * per text run, thinking run (only when the caller asked for thinking) or tool call, closed when the
 * next one starts or the answer finishes; `message_delta` with the stop reason and usage, then
 * `message_stop`. Only choice 0 is read (Anthropic has no `n`).
 */
export function anthropicEncoder(withThinking: boolean): StreamEncoder {
  let started = false;
  let ended = false;
  let deltaSent = false;
  let open: { index: number; kind: BlockKind } | undefined;
  let nextIndex = 0;
  const tools = new Map<number, number>();
  let stopReason = 'end_turn';
  let usage: Usage | undefined;

  const close = (): WireEvent[] => {
    if (open === undefined) return [];
    const index = open.index;
    open = undefined;
    return [event('content_block_stop', { index })];
  };
  const startBlock = (kind: BlockKind, block: Json): WireEvent[] => {
    const out = close();
    const index = nextIndex++;
    open = { index, kind };
    out.push(event('content_block_start', { index, content_block: block }));
    return out;
  };
  const into = (kind: 'text' | 'thinking'): WireEvent[] =>
    open?.kind === kind
      ? []
      : startBlock(kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
  const delta = (data: Json): WireEvent => event('content_block_delta', { index: open?.index ?? 0, delta: data });
  const finishEvents = (): WireEvent[] => {
    const out = close();
    if (!deltaSent) {
      deltaSent = true;
      out.push(event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: anthropicUsage(usage) }));
    }
    ended = true;
    out.push(event('message_stop', {}));
    return out;
  };

  const encode = (ev: ModelEvent): WireEvent[] => {
    if (ended) return [];
    switch (ev.type) {
      case 'start': {
        if (started) return [];
        started = true;
        const message = {
          id: messageId(ev.id),
          type: 'message',
          role: 'assistant',
          model: ev.model ?? '',
          content: [],
          stop_reason: null,
          stop_sequence: null,
        };
        return [event('message_start', { message: { ...message, usage: anthropicUsage(ev.usage) } })];
      }
      case 'text':
        return ev.text === '' ? [] : [...into('text'), delta({ type: 'text_delta', text: ev.text })];
      case 'reasoning':
        return withThinking && ev.text !== '' ? [...into('thinking'), delta({ type: 'thinking_delta', thinking: ev.text })] : [];
      case 'reasoning-signature':
        return withThinking && open?.kind === 'thinking' ? [delta({ type: 'signature_delta', signature: ev.signature })] : [];
      case 'redacted-reasoning':
        return withThinking ? [...startBlock('other', { type: 'redacted_thinking', data: ev.data }), ...close()] : [];
      case 'tool-call':
        return toolCall(ev);
      case 'finish':
        stopReason = stopReasonOf(ev.reason);
        return close();
      case 'usage':
        usage = ev.usage;
        return [];
      case 'done':
        return finishEvents();
      default:
        return [];
    }
  };

  const toolCall = (ev: Extract<ModelEvent, { type: 'tool-call' }>): WireEvent[] => {
    const out: WireEvent[] = [];
    let index = tools.get(ev.index);
    if (index === undefined) {
      out.push(...startBlock('tool', { type: 'tool_use', id: ev.id ?? `toolu_${nextIndex}`, name: ev.name ?? '', input: {} }));
      index = open?.index ?? 0;
      tools.set(ev.index, index);
    }
    if (ev.arguments !== '')
      out.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: ev.arguments } }));
    return out;
  };

  return {
    pass(sse: SseEvent, parsed: unknown): WireEvent[] {
      if (!isObject(parsed)) return [];
      switch (parsed.type) {
        case 'message_start':
          started = true;
          break;
        case 'content_block_start': {
          const index = typeof parsed.index === 'number' ? parsed.index : nextIndex;
          open = { index, kind: kindOf(parsed.content_block) };
          nextIndex = Math.max(nextIndex, index + 1);
          break;
        }
        case 'content_block_stop':
          open = undefined;
          break;
        case 'message_delta':
          deltaSent = true;
          break;
        case 'message_stop':
          ended = true;
          break;
      }
      return [{ event: sse.event ?? String(parsed.type), data: parsed, raw: sse.data }];
    },
    encode,
    end: () => (ended ? [] : finishEvents()),
    fail(_code, message) {
      ended = true;
      return [anthropicStreamError(message)];
    },
  };
}
