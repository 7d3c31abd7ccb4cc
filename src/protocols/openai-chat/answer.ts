// Whole Chat Completions answers: what one says about itself, and conversions to and from the internal shape.
import type { AnswerFacts } from '../adapter.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import type { FinishReason, ModelAnswer, ModelPart } from '../model.ts';
import { openaiUsage, usageOf } from './usage.ts';

// Finish reasons of a whole, unfiltered answer; anything else (content_filter, Zhipu's sensitive ...) is not cached.
const CLEAN_FINISH = new Set(['stop', 'length', 'tool_calls', 'function_call']);

/** Whether every choice of a completion finished cleanly, so the answer may be cached. */
export function finishedCleanly(completion: Json): boolean {
  if (!Array.isArray(completion.choices)) return false;
  return completion.choices.every((c) => isObject(c) && typeof c.finish_reason === 'string' && CLEAN_FINISH.has(c.finish_reason));
}

/** Reads a `chat.completion`; undefined when the body is not one (no choices). */
export function readCompletion(value: unknown): AnswerFacts | undefined {
  if (!isObject(value) || !Array.isArray(value.choices) || value.choices.length === 0) return undefined;
  return { model: stringOr(value.model), usage: usageOf(value), cacheable: finishedCleanly(value) };
}

/** An OpenAI finish reason in the proxy's terms. */
export function finishOf(reason: unknown): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
    case 'sensitive':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * A vendor's `chat.completion` in the internal shape (choice 0): reasoning (`reasoning_content`,
 * or `reasoning` as OpenRouter and Ollama name it), text (a refusal is text), tool calls.
 */
export function completionToModel(value: unknown, now: number): ModelAnswer | undefined {
  if (!isObject(value) || !Array.isArray(value.choices)) return undefined;
  const choice = value.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) ?? value.choices[0];
  if (!isObject(choice)) return undefined;
  const message = isObject(choice.message) ? choice.message : {};
  const parts: ModelPart[] = [];
  const reasoning = stringOr(message.reasoning_content) ?? stringOr(message.reasoning);
  if (reasoning !== undefined && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
  const text = stringOr(message.content) || stringOr(message.refusal) || '';
  if (text !== '') parts.push({ type: 'text', text });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls.filter(isObject)) {
      const fn = isObject(call.function) ? call.function : {};
      parts.push({
        type: 'tool-call',
        id: stringOr(call.id) ?? '',
        name: stringOr(fn.name) ?? '',
        arguments: stringOr(fn.arguments) ?? '',
      });
    }
  }
  const answer: ModelAnswer = {
    id: stringOr(value.id) ?? '',
    model: stringOr(value.model) ?? '',
    created: typeof value.created === 'number' ? value.created : Math.floor(now / 1000),
    parts,
    finish: finishOf(choice.finish_reason),
    cacheable: finishedCleanly(value),
  };
  const usage = usageOf(value);
  if (usage !== undefined) answer.usage = usage;
  return answer;
}

/** The internal answer as a `chat.completion` an OpenAI caller reads. Signatures and redacted reasoning have no place there. */
export function modelToCompletion(answer: ModelAnswer): Json {
  let text = '';
  let reasoning = '';
  const toolCalls: Json[] = [];
  for (const part of answer.parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call')
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: Json = {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finish }],
  };
  if (answer.usage !== undefined) completion.usage = openaiUsage(answer.usage);
  return completion;
}
