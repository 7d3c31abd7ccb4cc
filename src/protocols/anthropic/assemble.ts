// Anthropic streams and whole answers both ways: assemble a stream into its message, replay a message as a stream.
import type { Assembler, WireEvent } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';

const event = (name: string, data: Json): WireEvent => ({ event: name, data: { type: name, ...data } });

/**
 * Builds the `message` a caller's stream amounts to, block by block, keeping what the vendor sent
 * (thinking with its signature, citations, server-tool blocks), so a cache hit replays the same
 * answer. A delta of a kind it does not know, an error, or a stream without `message_stop` gives
 * no message: such an answer is served, never cached.
 */
export class MessageAssembler implements Assembler {
  size = 0;
  private message: Json | undefined;
  private readonly blocks: Json[] = [];
  private readonly partial = new Map<number, string>();
  private complete = false;
  private broken = false;

  add(wire: WireEvent): void {
    const data = wire.data;
    if (this.broken || !isObject(data)) return;
    const index = typeof data.index === 'number' ? data.index : 0;
    switch (data.type) {
      case 'message_start':
        this.message = isObject(data.message) ? { ...data.message, content: [] } : { content: [] };
        return;
      case 'content_block_start':
        if (isObject(data.content_block)) this.blocks[index] = { ...data.content_block };
        return;
      case 'content_block_delta':
        this.delta(index, isObject(data.delta) ? data.delta : {});
        return;
      case 'content_block_stop':
        this.stop(index);
        return;
      case 'message_delta': {
        if (this.message === undefined) return;
        Object.assign(this.message, isObject(data.delta) ? data.delta : {});
        if (isObject(data.usage)) this.message.usage = { ...(isObject(this.message.usage) ? this.message.usage : {}), ...data.usage };
        return;
      }
      case 'message_stop':
        this.complete = true;
        return;
      case 'error':
        this.broken = true;
        return;
    }
  }

  result(): Json | undefined {
    if (this.broken || !this.complete || this.message === undefined || this.partial.size > 0) return undefined;
    if (this.message.stop_reason === 'refusal') return undefined;
    return { ...this.message, content: this.blocks.filter(isObject) };
  }

  private delta(index: number, delta: Json): void {
    const block = this.blocks[index];
    if (block === undefined) {
      this.broken = true;
      return;
    }
    const grow = (field: string, value: unknown): void => {
      const text = typeof value === 'string' ? value : '';
      block[field] = (typeof block[field] === 'string' ? block[field] : '') + text;
      this.size += text.length;
    };
    switch (delta.type) {
      case 'text_delta':
        grow('text', delta.text);
        return;
      case 'thinking_delta':
        grow('thinking', delta.thinking);
        return;
      case 'signature_delta':
        block.signature = delta.signature;
        return;
      case 'citations_delta':
        block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        return;
      case 'input_json_delta': {
        const text = typeof delta.partial_json === 'string' ? delta.partial_json : '';
        this.partial.set(index, (this.partial.get(index) ?? '') + text);
        this.size += text.length;
        return;
      }
      default:
        this.broken = true;
    }
  }

  private stop(index: number): void {
    const json = this.partial.get(index);
    const block = this.blocks[index];
    if (json === undefined || block === undefined) return;
    this.partial.delete(index);
    try {
      block.input = json === '' ? {} : JSON.parse(json);
    } catch {
      this.broken = true;
    }
  }
}

/**
 * Replays a `message` as the events of its stream: `message_start`, each block opened empty and
 * filled by its deltas (text, citations, thinking and its signature, tool input as one JSON
 * fragment; other blocks arrive whole), `message_delta` with the stop reason and usage, `message_stop`.
 */
export function messageToEvents(message: Json): WireEvent[] {
  const usage = isObject(message.usage) ? message.usage : {};
  const start = { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } };
  const out: WireEvent[] = [event('message_start', { message: start })];
  const blocks = Array.isArray(message.content) ? message.content.filter(isObject) : [];
  for (const [index, block] of blocks.entries()) {
    const deltas: Json[] = [];
    let opened: Json = block;
    if (block.type === 'text') {
      opened = { type: 'text', text: '' };
      if (Array.isArray(block.citations)) for (const citation of block.citations) deltas.push({ type: 'citations_delta', citation });
      if (typeof block.text === 'string' && block.text !== '') deltas.push({ type: 'text_delta', text: block.text });
    } else if (block.type === 'thinking') {
      opened = { type: 'thinking', thinking: '', signature: '' };
      deltas.push({ type: 'thinking_delta', thinking: block.thinking ?? '' });
      if (typeof block.signature === 'string' && block.signature !== '')
        deltas.push({ type: 'signature_delta', signature: block.signature });
    } else if (block.type === 'tool_use' || block.type === 'server_tool_use') {
      opened = { ...block, input: {} };
      deltas.push({ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) });
    }
    out.push(event('content_block_start', { index, content_block: opened }));
    for (const delta of deltas) out.push(event('content_block_delta', { index, delta }));
    out.push(event('content_block_stop', { index }));
  }
  out.push(
    event('message_delta', {
      delta: { stop_reason: message.stop_reason ?? 'end_turn', stop_sequence: message.stop_sequence ?? null },
      usage,
    }),
  );
  out.push(event('message_stop', {}));
  return out;
}
