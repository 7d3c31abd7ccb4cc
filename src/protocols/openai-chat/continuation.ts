// A Chat Completions request asking the vendor to continue an answer another vendor began (stream rescue). Pure.
import type { ResolvedProvider } from '../../config/load.ts';
import { isObject, type Json } from '../json.ts';

/**
 * The body plus an assistant message holding exactly `text`, the answer so far: a trailing
 * assistant message, which OpenAI-compatible servers such as Ollama continue, or for DeepSeek the
 * same message marked `prefix: true`, sent to its beta API. A body that already ends with an
 * assistant prefix (the caller's own prefill) gets `text` appended to it. Always streamed.
 */
export function chatContinuation(body: Json, text: string, provider: ResolvedProvider): { body: Json; baseUrl?: string } {
  const messages = Array.isArray(body.messages) ? [...body.messages] : [];
  let prefix = text;
  const last = messages.at(-1);
  const before = isObject(last) && last.role === 'assistant' && last.tool_calls == null ? prefillText(last.content) : undefined;
  if (before !== undefined) {
    messages.pop();
    prefix = before + text;
  }
  if (prefix !== '')
    messages.push(
      provider.prefixStyle === 'deepseek' ? { role: 'assistant', content: prefix, prefix: true } : { role: 'assistant', content: prefix },
    );
  const out = { ...body, messages, stream: true };
  const beta = provider.prefixStyle === 'deepseek' ? deepseekPrefixBaseUrl(provider.baseUrl) : undefined;
  return beta === undefined ? { body: out } : { body: out, baseUrl: beta };
}

/** The text of an assistant prefill: its string content, or its text parts joined; undefined for anything else. */
function prefillText(content: unknown): string | undefined {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || !content.every((p) => isObject(p) && p.type === 'text' && typeof p.text === 'string')) return undefined;
  return content.map((p) => (p as { text: string }).text).join('');
}

/** DeepSeek serves prefix continuations from its beta API; a custom base URL is left alone. */
export function deepseekPrefixBaseUrl(baseUrl: string): string | undefined {
  return /^https:\/\/api\.deepseek\.com(\/v1)?$/.test(baseUrl) ? 'https://api.deepseek.com/beta' : undefined;
}
