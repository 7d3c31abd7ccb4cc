// Whole Anthropic answers: what one says about itself, and conversions to and from the internal shape.
import type { AnswerFacts } from '../adapter.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import type { ModelAnswer, ModelPart, Usage } from '../model.ts';
import { finishReasonOf, stopReasonOf } from './stop-reason.ts';

/** Anthropic usage in the proxy's terms: cached and cache-written input tokens are prompt tokens too. */
export function usageFromAnthropic(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.input_tokens !== 'number' && typeof value.output_tokens !== 'number') return undefined;
  const count = (key: string): number => (typeof value[key] === 'number' ? (value[key] as number) : 0);
  const cached = count('cache_read_input_tokens');
  const written = count('cache_creation_input_tokens');
  const prompt = count('input_tokens') + cached + written;
  const completion = count('output_tokens');
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cached > 0) usage.cached_tokens = cached;
  if (written > 0) usage.cache_write_tokens = written;
  return usage;
}

/** The proxy's usage in Anthropic's shape. */
export function anthropicUsage(usage: Usage | undefined): Json {
  if (usage === undefined) return { input_tokens: 0, output_tokens: 0 };
  const cached = usage.cached_tokens ?? 0;
  const written = usage.cache_write_tokens ?? 0;
  const out: Json = { input_tokens: Math.max(0, usage.prompt_tokens - cached - written), output_tokens: usage.completion_tokens };
  if (cached > 0) out.cache_read_input_tokens = cached;
  if (written > 0) out.cache_creation_input_tokens = written;
  return out;
}

/** Reads an Anthropic `message`; undefined when the body is not one. A refusal is served but never cached. */
export function readMessage(value: unknown): AnswerFacts | undefined {
  if (!isObject(value) || value.type !== 'message' || !Array.isArray(value.content)) return undefined;
  return { model: stringOr(value.model), usage: usageFromAnthropic(value.usage), cacheable: value.stop_reason !== 'refusal' };
}

/**
 * A vendor's `message` in the internal shape: text, thinking (with its signature), redacted
 * thinking and tool_use blocks. Server tool blocks and citations have no equivalent elsewhere.
 */
export function messageToModel(value: unknown, now: number): ModelAnswer | undefined {
  if (!isObject(value) || value.type !== 'message' || !Array.isArray(value.content)) return undefined;
  const parts: ModelPart[] = [];
  for (const block of value.content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      const signature = stringOr(block.signature);
      parts.push(signature ? { type: 'reasoning', text: block.thinking, signature } : { type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string')
      parts.push({ type: 'redacted-reasoning', data: block.data });
    else if (block.type === 'tool_use') {
      parts.push({
        type: 'tool-call',
        id: stringOr(block.id) ?? '',
        name: stringOr(block.name) ?? '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    }
  }
  const answer: ModelAnswer = {
    id: stringOr(value.id) ?? '',
    model: stringOr(value.model) ?? '',
    created: Math.floor(now / 1000),
    parts,
    finish: finishReasonOf(value.stop_reason),
    cacheable: value.stop_reason !== 'refusal',
  };
  const usage = usageFromAnthropic(value.usage);
  if (usage !== undefined) answer.usage = usage;
  return answer;
}

/** An id in Anthropic's form (`msg_…`). */
export function messageId(id: unknown): string {
  const text = typeof id === 'string' && id !== '' ? id : 'proxy';
  return text.startsWith('msg_') ? text : `msg_${text}`;
}

/**
 * The internal answer as the `message` an Anthropic caller reads. Reasoning is shown as thinking
 * blocks only when the caller asked for thinking (with the signature when the vendor gave one).
 */
export function modelToMessage(answer: ModelAnswer, withThinking: boolean): Json {
  const content: Json[] = [];
  for (const part of answer.parts) {
    if (part.type === 'text' && part.text !== '') content.push({ type: 'text', text: part.text });
    else if (part.type === 'reasoning' && withThinking && part.text !== '')
      content.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
    else if (part.type === 'redacted-reasoning' && withThinking) content.push({ type: 'redacted_thinking', data: part.data });
    else if (part.type === 'tool-call') content.push({ type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments) });
  }
  return {
    id: messageId(answer.id),
    type: 'message',
    role: 'assistant',
    model: answer.model,
    content,
    stop_reason: stopReasonOf(answer.finish),
    stop_sequence: null,
    usage: anthropicUsage(answer.usage),
  };
}

/** Parses tool arguments for an Anthropic `input` object; junk becomes `{}`. */
export function toolInput(args: string): Json {
  if (args === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}
