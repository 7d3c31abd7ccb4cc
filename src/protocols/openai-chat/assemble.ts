// Chat Completions streams and whole answers both ways: assemble a stream into one answer, replay an answer as a stream.
import type { Assembler, WireEvent } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import type { Usage } from '../model.ts';
import { finishedCleanly } from './answer.ts';
import { openaiUsage } from './usage.ts';

interface ChoiceState {
  content: string;
  reasoning: string;
  refusal: string | null;
  toolCalls: { id: string; type: string; name: string; arguments: string }[];
  finishReason: string | null;
}

/**
 * Builds the `chat.completion` a streamed answer amounts to, chunk by chunk, so a stream that
 * ended well can be cached. Holds only the answer text (what the cache stores anyway).
 */
export class ChunkAssembler implements Assembler {
  private id = '';
  private model = '';
  private created = 0;
  private fingerprint: unknown = null;
  private usage: unknown = null;
  private readonly choices = new Map<number, ChoiceState>();
  /** Characters held; the caller stops assembling past its limit. */
  size = 0;

  add(event: WireEvent): void {
    const chunk = event.data;
    if (!isObject(chunk)) return;
    if (typeof chunk.id === 'string') this.id = chunk.id;
    if (typeof chunk.model === 'string') this.model = chunk.model;
    if (typeof chunk.created === 'number') this.created = chunk.created;
    if (chunk.system_fingerprint !== undefined) this.fingerprint = chunk.system_fingerprint;
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const state = this.choice(index);
      const delta = isObject(choice.delta) ? choice.delta : {};
      if (typeof delta.content === 'string') state.content += delta.content;
      if (typeof delta.reasoning_content === 'string') state.reasoning += delta.reasoning_content;
      else if (typeof delta.reasoning === 'string') state.reasoning += delta.reasoning;
      if (typeof delta.refusal === 'string') state.refusal = (state.refusal ?? '') + delta.refusal;
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.addToolCall(state, call);
      if (typeof choice.finish_reason === 'string') state.finishReason = choice.finish_reason;
      this.size += JSON.stringify(delta).length;
    }
  }

  /** The assembled `chat.completion`, when every choice finished cleanly. */
  result(usage: Usage | undefined): Json | undefined {
    const completion = this.completion();
    if (completion.usage === undefined && usage !== undefined) completion.usage = openaiUsage(usage);
    return finishedCleanly(completion) ? completion : undefined;
  }

  private completion(): Json {
    const choices = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => {
        const message: Json = { role: 'assistant', content: s.content === '' && s.toolCalls.length > 0 ? null : s.content };
        if (s.reasoning !== '') message.reasoning_content = s.reasoning;
        if (s.refusal !== null) message.refusal = s.refusal;
        if (s.toolCalls.length > 0) {
          message.tool_calls = s.toolCalls.map((t) => ({ id: t.id, type: t.type, function: { name: t.name, arguments: t.arguments } }));
        }
        return { index, message, logprobs: null, finish_reason: s.finishReason };
      });
    const completion: Json = { id: this.id, object: 'chat.completion', created: this.created, model: this.model, choices };
    if (this.fingerprint !== null) completion.system_fingerprint = this.fingerprint;
    if (this.usage !== null) completion.usage = this.usage;
    return completion;
  }

  private choice(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (state === undefined) {
      state = { content: '', reasoning: '', refusal: null, toolCalls: [], finishReason: null };
      this.choices.set(index, state);
    }
    return state;
  }

  private addToolCall(state: ChoiceState, call: unknown): void {
    if (!isObject(call)) return;
    const index = typeof call.index === 'number' ? call.index : state.toolCalls.length;
    const fn = isObject(call.function) ? call.function : {};
    let entry = state.toolCalls[index];
    if (entry === undefined) {
      entry = { id: '', type: 'function', name: '', arguments: '' };
      state.toolCalls[index] = entry;
    }
    if (typeof call.id === 'string') entry.id = call.id;
    if (typeof call.type === 'string') entry.type = call.type;
    if (typeof fn.name === 'string') entry.name += fn.name;
    if (typeof fn.arguments === 'string') entry.arguments += fn.arguments;
  }
}

/**
 * Replays a `chat.completion` as the SSE `data` payloads of a stream: a role chunk, the content,
 * the tool calls, the finish, the usage chunk when asked, and `[DONE]`.
 */
export function completionToChunks(completion: Json, includeUsage: boolean): WireEvent[] {
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  const choices = Array.isArray(completion.choices) ? completion.choices.filter(isObject) : [];
  const out: WireEvent[] = [];
  const chunk = (index: number, delta: Json, finish: unknown = null) =>
    out.push({ data: { ...base, choices: [{ index, delta, logprobs: null, finish_reason: finish }] } });
  for (const choice of choices) {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const message = isObject(choice.message) ? choice.message : {};
    chunk(index, { role: 'assistant', content: '' });
    if (typeof message.reasoning_content === 'string') chunk(index, { reasoning_content: message.reasoning_content });
    if (typeof message.content === 'string' && message.content !== '') chunk(index, { content: message.content });
    if (typeof message.refusal === 'string') chunk(index, { refusal: message.refusal });
    if (Array.isArray(message.tool_calls)) {
      const toolCalls = message.tool_calls.filter(isObject).map((call, i) => ({ index: i, ...call }));
      if (toolCalls.length > 0) chunk(index, { tool_calls: toolCalls });
    }
    chunk(index, {}, choice.finish_reason ?? 'stop');
  }
  if (includeUsage && isObject(completion.usage)) out.push({ data: { ...base, choices: [], usage: completion.usage } });
  out.push({ data: '[DONE]' });
  return out;
}
