// chat.completion.chunk data turned into the Anthropic stream events an Anthropic caller reads.
import { messageId } from './anthropic-message.ts';
import { stopReasonOf } from './anthropic-stop-reason.ts';
import { isObject, parseJson, type Usage, usageOf } from './openai.ts';

type Json = Record<string, unknown>;

/** One Anthropic SSE event: its name and data. */
export interface AnthropicEvent {
  event: string;
  data: Json;
}

/**
 * Translates the proxy's own OpenAI stream (relay, cache replay or degraded reply) into Anthropic
 * events, chunk by chunk: message_start at the first chunk, a content block per text run or tool
 * call (input_json_delta for arguments), content_block_stop when the next block starts or the
 * choice finishes, message_delta with the stop reason and usage at `[DONE]`, then message_stop.
 * An in-band error becomes an `error` event. Only choice 0 is read (Anthropic has no `n`).
 */
export class AnthropicEventWriter {
  private started = false;
  private finished = false;
  private open: { index: number; kind: 'text' | 'thinking' | 'tool'; tool?: number } | undefined;
  private nextIndex = 0;
  private readonly toolBlocks = new Map<number, number>();
  private stopReason = 'end_turn';
  private usage: Usage | undefined;
  private readonly withThinking: boolean;

  /** `withThinking`: show reasoning as thinking blocks (only when the caller asked for thinking). */
  constructor(withThinking: boolean) {
    this.withThinking = withThinking;
  }

  /** The events for one SSE `data` payload of the OpenAI stream. */
  write(data: string): AnthropicEvent[] {
    if (this.finished) return [];
    if (data === '[DONE]') return this.end();
    const chunk = parseJson(data);
    if (!isObject(chunk)) return [];
    if (isObject(chunk.error)) return this.fail(typeof chunk.error.message === 'string' ? chunk.error.message : 'upstream error');
    const out: AnthropicEvent[] = [];
    if (!this.started) out.push(this.start(chunk));
    const usage = usageOf(chunk);
    if (usage !== undefined) this.usage = usage;
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
    if (!isObject(choice)) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning;
    if (this.withThinking && typeof reasoning === 'string' && reasoning !== '') {
      out.push(...this.into('thinking'), this.delta({ type: 'thinking_delta', thinking: reasoning }));
    }
    const text =
      typeof delta.content === 'string' && delta.content !== '' ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
    if (text !== '') out.push(...this.into('text'), this.delta({ type: 'text_delta', text }));
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls.filter(isObject)) out.push(...this.toolCall(call));
    if (typeof choice.finish_reason === 'string') {
      this.stopReason = stopReasonOf(choice.finish_reason);
      out.push(...this.close());
    }
    return out;
  }

  /** The end of the body without `[DONE]` or an error: the answer is incomplete, so say so. */
  flush(): AnthropicEvent[] {
    return this.finished ? [] : this.fail('The upstream stream ended before the answer finished.');
  }

  private start(chunk: Json): AnthropicEvent {
    this.started = true;
    const message = {
      id: messageId(chunk.id),
      type: 'message',
      role: 'assistant',
      model: chunk.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    return { event: 'message_start', data: { type: 'message_start', message } };
  }

  private toolCall(call: Json): AnthropicEvent[] {
    const position = typeof call.index === 'number' ? call.index : 0;
    const fn = isObject(call.function) ? call.function : {};
    const out: AnthropicEvent[] = [];
    if (!this.toolBlocks.has(position)) {
      out.push(...this.close());
      const index = this.nextIndex++;
      this.toolBlocks.set(position, index);
      this.open = { index, kind: 'tool', tool: position };
      const id = typeof call.id === 'string' ? call.id : `toolu_${index}`;
      const block = { type: 'tool_use', id, name: typeof fn.name === 'string' ? fn.name : '', input: {} };
      out.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block } });
    }
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      const index = this.toolBlocks.get(position) ?? 0;
      const delta = { type: 'input_json_delta', partial_json: fn.arguments };
      out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
    }
    return out;
  }

  /** Opens a block of `kind` unless one is open; closes a block of another kind first. */
  private into(kind: 'text' | 'thinking'): AnthropicEvent[] {
    if (this.open?.kind === kind) return [];
    const out = this.close();
    const index = this.nextIndex++;
    this.open = { index, kind };
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    out.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block } });
    return out;
  }

  private delta(delta: Json): AnthropicEvent {
    return { event: 'content_block_delta', data: { type: 'content_block_delta', index: this.open?.index ?? 0, delta } };
  }

  private close(): AnthropicEvent[] {
    if (this.open === undefined) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ event: 'content_block_stop', data: { type: 'content_block_stop', index } }];
  }

  private end(): AnthropicEvent[] {
    const out = this.close();
    this.finished = true;
    const usage = { input_tokens: this.usage?.prompt_tokens ?? 0, output_tokens: this.usage?.completion_tokens ?? 0 };
    out.push({
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: this.stopReason, stop_sequence: null }, usage },
    });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return out;
  }

  private fail(message: string): AnthropicEvent[] {
    this.finished = true;
    return [{ event: 'error', data: { type: 'error', error: { type: 'api_error', message } } }];
  }
}
