// What e2e tests use to talk to the proxy: the openai SDK, raw fetch, and stream collection.
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { inject } from 'vitest';
import { recordingFetch } from './recorder.ts';

export const proxyUrl = inject('proxyUrl');
/** The second proxy: the KV cache and degraded replies on (cache-config.ts). */
export const cacheProxyUrl = inject('cacheProxyUrl');

/**
 * The official SDK pointed at a proxy (the first one unless told): no SDK retries, so every
 * retry seen is the proxy's.
 */
export function sdk(origin: string = proxyUrl, apiKey = 'unused'): OpenAI {
  return new OpenAI({ baseURL: `${origin}/v1`, apiKey, maxRetries: 0, timeout: 20_000, fetch: recordingFetch });
}

/** POSTs a chat body (an object, or raw text) straight to the proxy, recorded. */
export function rawChat(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return recordingFetch(`${proxyUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A one-line chat request for `model`. */
export function ask(model: string, text = 'Say hello'): { model: string; messages: { role: 'user'; content: string }[] } {
  return { model, messages: [{ role: 'user', content: text }] };
}

/** What a streamed answer came to: the text before any error, the chunks, and the error raised. */
export interface Collected {
  text: string;
  chunks: ChatCompletionChunk[];
  error: unknown;
  ms: number;
}

/** Reads a stream to its end with `for await`, catching what the SDK raises instead of throwing. */
export async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<Collected> {
  const started = Date.now();
  const chunks: ChatCompletionChunk[] = [];
  let text = '';
  let error: unknown;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
  } catch (err) {
    error = err;
  }
  return { text, chunks, error, ms: Date.now() - started };
}

/** Joined tool-call argument fragments of the first tool call in a stream. */
export function streamedToolArguments(chunks: readonly ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
}
