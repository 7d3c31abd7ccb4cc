// Whole answers converted both ways: an Anthropic message into a chat completion and back.
import { finishReasonOf, stopReasonOf } from './anthropic-stop-reason.ts';
import { isObject, type Usage } from './openai.ts';

type Json = Record<string, unknown>;

/** Anthropic usage as OpenAI counts it: cached and cache-written input tokens are prompt tokens too. */
export function usageFromAnthropic(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const count = (key: string): number => (typeof value[key] === 'number' ? (value[key] as number) : 0);
  if (typeof value.input_tokens !== 'number' && typeof value.output_tokens !== 'number') return undefined;
  const prompt = count('input_tokens') + count('cache_read_input_tokens') + count('cache_creation_input_tokens');
  const completion = count('output_tokens');
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * A vendor's Anthropic `message` as a `chat.completion`; undefined when the body is not a message.
 * Text blocks are joined, tool_use blocks become tool_calls, thinking becomes reasoning_content.
 */
export function messageToCompletion(value: unknown, now: number): Json | undefined {
  if (!isObject(value) || value.type !== 'message' || !Array.isArray(value.content)) return undefined;
  let text = '';
  let reasoning = '';
  const toolCalls: Json[] = [];
  for (const block of value.content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: Json = {
    id: typeof value.id === 'string' ? value.id : '',
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: typeof value.model === 'string' ? value.model : '',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(value.stop_reason) }],
  };
  const usage = usageFromAnthropic(value.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

/** An id in Anthropic's form (`msg_…`). */
export function messageId(id: unknown): string {
  const text = typeof id === 'string' && id !== '' ? id : 'proxy';
  return text.startsWith('msg_') ? text : `msg_${text}`;
}

/**
 * A `chat.completion` as the Anthropic `message` an Anthropic caller expects (first choice only:
 * Anthropic has no `n`). Reasoning is shown as a thinking block only when the caller asked for thinking.
 */
export function completionToMessage(completion: Json, withThinking: boolean): Json {
  const choice = Array.isArray(completion.choices) ? completion.choices.find(isObject) : undefined;
  const message = isObject(choice?.message) ? choice.message : {};
  const content: Json[] = [];
  if (withThinking && typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  const text = typeof message.content === 'string' ? message.content : typeof message.refusal === 'string' ? message.refusal : '';
  if (text !== '') content.push({ type: 'text', text });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls.filter(isObject)) {
      const fn = isObject(call.function) ? call.function : {};
      content.push({ type: 'tool_use', id: call.id, name: fn.name, input: toolInput(fn.arguments) });
    }
  }
  const usage = isObject(completion.usage) ? completion.usage : {};
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: { input_tokens: numberOr0(usage.prompt_tokens), output_tokens: numberOr0(usage.completion_tokens) },
  };
}

/** Parses tool arguments for an Anthropic `input` object; junk becomes `{}`. */
export function toolInput(args: unknown): Json {
  if (typeof args !== 'string' || args === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
