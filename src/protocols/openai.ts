// OpenAI wire format: error bodies, SSE events, and reading vendor answers and chunks.
import type { ProxyError } from '../errors.ts';

/** Token usage as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The OpenAI error body for a proxy error; the 503 also lists the attempts made. */
export function openaiErrorBody(err: ProxyError): Record<string, unknown> {
  const error: Record<string, unknown> = { message: err.message, type: err.type, code: err.code, param: err.param };
  if (err.attempts !== undefined) error.attempts = err.attempts;
  return { error };
}

const encoder = new TextEncoder();

/** Encodes SSE `data:` lines (already JSON text, or `[DONE]`) as one chunk of bytes. */
export function encodeEvents(datas: readonly string[]): Uint8Array {
  let text = '';
  for (const data of datas) text += `data: ${data}\n\n`;
  return encoder.encode(text);
}

/**
 * The in-band error event that ends a stream after the commit point. It has an `error` object and
 * is not followed by `[DONE]`, so the OpenAI SDKs raise instead of returning a truncated answer.
 */
export function inBandErrorData(code: string, message: string): string {
  return JSON.stringify({ error: { message, type: 'upstream_error', code, param: null } });
}

/** The parts of an upstream error body the classifier needs. */
export interface UpstreamErrorInfo {
  code: string;
  type: string;
  message: string;
}

/** Reads `{"error": {...}}` (or a bare `{"message"}`/string) from a vendor's error body; tolerant of junk. */
export function readErrorInfo(value: unknown): UpstreamErrorInfo {
  if (typeof value === 'string') return { code: '', type: '', message: value };
  const root = isObject(value) ? value : {};
  const err = 'error' in root ? root.error : root;
  if (typeof err === 'string') return { code: '', type: '', message: err };
  if (!isObject(err)) return { code: '', type: '', message: '' };
  return {
    code: typeof err.code === 'string' || typeof err.code === 'number' ? String(err.code).toLowerCase() : '',
    type: typeof err.type === 'string' ? err.type.toLowerCase() : '',
    message: typeof err.message === 'string' ? err.message : '',
  };
}

/** What a non-streaming answer must have to count as a success, plus what logs need. */
export interface CompletionInfo {
  model: string | undefined;
  usage: Usage | undefined;
}

/** Checks a parsed 2xx body is a chat completion; returns undefined when it is not. */
export function readCompletion(value: unknown): CompletionInfo | undefined {
  if (!isObject(value) || !Array.isArray(value.choices) || value.choices.length === 0) return undefined;
  return { model: typeof value.model === 'string' ? value.model : undefined, usage: readUsage(value.usage) };
}

/** Checks a parsed 2xx body is an embeddings list; its usage has no completion tokens. */
export function readEmbeddings(value: unknown): CompletionInfo | undefined {
  if (!isObject(value) || !Array.isArray(value.data) || value.data.length === 0) return undefined;
  const usage = isObject(value.usage) ? value.usage : {};
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  return {
    model: typeof value.model === 'string' ? value.model : undefined,
    usage: prompt === undefined ? undefined : { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt },
  };
}

/** Reads a usage object when it has the three counts. */
export function readUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const { prompt_tokens, completion_tokens, total_tokens } = value;
  if (typeof prompt_tokens !== 'number' || typeof completion_tokens !== 'number') return undefined;
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens: typeof total_tokens === 'number' ? total_tokens : prompt_tokens + completion_tokens,
  };
}

/** What one streamed chunk means to the relay. */
export interface ChunkInfo {
  /** Carries answer content (text, reasoning, refusal, tool call) or a finish: the commit point. */
  token: boolean;
  /** Choice indexes that finished in this chunk. */
  finished: number[];
  toolCall: boolean;
  usage: Usage | undefined;
  /** A usage-only chunk (`choices: []`), forwarded only to callers that asked for usage. */
  usageOnly: boolean;
  model: string | undefined;
}

/** Inspects a parsed `chat.completion.chunk`; returns undefined for a shape that is not one. */
export function readChunk(value: unknown): ChunkInfo | undefined {
  if (!isObject(value) || !Array.isArray(value.choices)) return undefined;
  const info: ChunkInfo = {
    token: false,
    finished: [],
    toolCall: false,
    usage: readUsage(value.usage),
    usageOnly: value.choices.length === 0,
    model: typeof value.model === 'string' ? value.model : undefined,
  };
  for (const choice of value.choices) {
    if (!isObject(choice)) return undefined;
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) info.toolCall = info.token = true;
    if (nonEmpty(delta.content) || nonEmpty(delta.reasoning_content) || nonEmpty(delta.refusal)) info.token = true;
    if (typeof choice.finish_reason === 'string') {
      info.token = true;
      info.finished.push(typeof choice.index === 'number' ? choice.index : 0);
    }
  }
  return info;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/** Narrows to a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
