// The request asking a vendor to continue an answer another vendor began (SPEC "Stream rescue"). Pure.
import type { ChatRequest, OpenAIMessage } from './openai-schema.ts';

/**
 * How a vendor is asked to continue: `trailing` (a trailing assistant message, which OpenAI-compatible
 * servers like Ollama and the Anthropic Messages API continue), `deepseek` (the same message
 * marked `prefix: true`), `anthropic` (a trailing assistant turn, which may not end in whitespace).
 */
export type PrefixStyle = 'trailing' | 'deepseek' | 'anthropic';

/** The request with the prefix, and whether trailing whitespace had to be cut from it. */
export interface Continuation {
  body: ChatRequest;
  trimmed: boolean;
}

/**
 * The same request plus an assistant message holding exactly `text`, the answer so far. A request
 * that already ended with an assistant prefix (the caller's own prefill) has `text` appended to it.
 * Always streamed: only streams are rescued.
 */
export function continuationRequest(body: ChatRequest, text: string, style: PrefixStyle): Continuation {
  let prefix = text;
  const messages = [...body.messages];
  const last = messages.at(-1);
  if (last?.role === 'assistant' && last.tool_calls === undefined && (typeof last.content === 'string' || last.content == null)) {
    messages.pop();
    prefix = (last.content ?? '') + text;
  }
  const kept = style === 'anthropic' ? prefix.replace(/\s+$/, '') : prefix;
  const trimmed = kept.length !== prefix.length;
  if (kept !== '') {
    const message: OpenAIMessage = { role: 'assistant', content: kept };
    if (style === 'deepseek') message.prefix = true;
    messages.push(message);
  }
  return { body: { ...body, messages, stream: true }, trimmed };
}

/** DeepSeek serves prefix continuations from its beta API; a custom base URL is left alone. */
export function deepseekPrefixBaseUrl(baseUrl: string): string | undefined {
  return /^https:\/\/api\.deepseek\.com(\/v1)?$/.test(baseUrl) ? 'https://api.deepseek.com/beta' : undefined;
}
