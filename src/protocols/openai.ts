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

/**
 * Reads `{"error": {...}}` (or a bare `{"message"}`/string) from a vendor's error body; tolerant of
 * junk. Gemini's OpenAI endpoint wraps the body in an array (`[{"error": {...}}]`) and names the
 * kind in `status` (`RESOURCE_EXHAUSTED`); both are read.
 */
export function readErrorInfo(value: unknown): UpstreamErrorInfo {
  if (typeof value === 'string') return { code: '', type: '', message: value };
  const first: unknown = Array.isArray(value) ? value[0] : value;
  const root = isObject(first) ? first : {};
  const err = 'error' in root ? root.error : root;
  if (typeof err === 'string') return { code: '', type: '', message: err };
  if (!isObject(err)) return { code: '', type: '', message: '' };
  const code = typeof err.code === 'string' || typeof err.code === 'number' ? String(err.code).toLowerCase() : '';
  const type = typeof err.type === 'string' ? err.type : typeof err.status === 'string' ? err.status : '';
  return {
    code: VENDOR_CODES[code] ?? code,
    type: type.toLowerCase(),
    message: typeof err.message === 'string' ? err.message : '',
  };
}

/**
 * Vendor business codes that mean an OpenAI error code, so the classifier reads them alike.
 * Zhipu: 1113 "balance exhausted" comes with a 429 (out of credit, not a rate limit); 1301
 * "unsafe or sensitive content" with a 400 (a content-policy rejection).
 */
const VENDOR_CODES: Readonly<Record<string, string>> = { '1113': 'insufficient_quota', '1301': 'content_filter' };

// Finish reasons that end a choice because the vendor failed, not because the answer is done:
// OpenRouter's mid-stream error chunk, Zhipu's `network_error` (inference failed) and DeepSeek's
// `insufficient_system_resource` (inference cut short for lack of capacity).
const FAILED_FINISH = new Set(['error', 'network_error', 'insufficient_system_resource']);

/**
 * The failure a stream event carries, or undefined for an ordinary chunk: an `error` object
 * (OpenAI, OpenRouter mid-stream), or a choice finished with a failure reason (`FAILED_FINISH`) and no error
 * object. Such an event must end the stream with an in-band error, never with `[DONE]`.
 */
export function streamErrorOf(value: unknown): UpstreamErrorInfo | undefined {
  if (!isObject(value)) return undefined;
  if ('error' in value && value.error !== null && value.error !== undefined) return readErrorInfo(value);
  if (!Array.isArray(value.choices)) return undefined;
  for (const choice of value.choices) {
    if (isObject(choice) && typeof choice.finish_reason === 'string' && FAILED_FINISH.has(choice.finish_reason)) {
      return { code: choice.finish_reason, type: '', message: `The stream ended with finish_reason "${choice.finish_reason}".` };
    }
  }
  return undefined;
}

/** What a non-streaming answer must have to count as a success, plus what logs need. */
export interface CompletionInfo {
  model: string | undefined;
  usage: Usage | undefined;
  /** False when a choice ended filtered or failed: such an answer is served but never cached. */
  cacheable?: boolean;
}

// Finish reasons of a whole, unfiltered answer; anything else (content_filter, Zhipu's sensitive ...) is not cached.
const CLEAN_FINISH = new Set(['stop', 'length', 'tool_calls', 'function_call']);

/** Whether every choice of a completion finished cleanly, so the answer may be cached. */
export function finishedCleanly(completion: Record<string, unknown>): boolean {
  if (!Array.isArray(completion.choices)) return false;
  return completion.choices.every((c) => isObject(c) && typeof c.finish_reason === 'string' && CLEAN_FINISH.has(c.finish_reason));
}

/** Checks a parsed 2xx body is a chat completion; returns undefined when it is not. */
export function readCompletion(value: unknown): CompletionInfo | undefined {
  if (!isObject(value) || !Array.isArray(value.choices) || value.choices.length === 0) return undefined;
  return { model: typeof value.model === 'string' ? value.model : undefined, usage: usageOf(value), cacheable: finishedCleanly(value) };
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

/**
 * Reads a usage object when it has the prompt and completion counts, in OpenAI's terms: reasoning
 * tokens a vendor counts outside `completion_tokens` are folded in (see `uncountedReasoning`).
 */
export function readUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const { prompt_tokens, completion_tokens, total_tokens } = value;
  if (typeof prompt_tokens !== 'number' || typeof completion_tokens !== 'number') return undefined;
  const completion = completion_tokens + uncountedReasoning(value, prompt_tokens, completion_tokens);
  return {
    prompt_tokens,
    completion_tokens: completion,
    total_tokens: typeof total_tokens === 'number' ? total_tokens : prompt_tokens + completion,
  };
}

/**
 * Reasoning tokens left out of `completion_tokens`. OpenAI counts them in; xAI reports them apart
 * (total = prompt + completion + reasoning), so cost would miss them. Only a gap the reasoning
 * count explains exactly is added, so vendors that already count them in are left alone.
 */
function uncountedReasoning(usage: Record<string, unknown>, prompt: number, completion: number): number {
  const details = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const reasoning = details.reasoning_tokens;
  const total = usage.total_tokens;
  if (typeof reasoning !== 'number' || typeof total !== 'number' || reasoning <= 0) return 0;
  return total === prompt + completion + reasoning ? reasoning : 0;
}

/**
 * The usage of an answer or a chunk wherever the vendor puts it: top-level `usage` (OpenAI),
 * `x_groq.usage` (Groq's last chunk), or inside a choice (Moonshot's last chunk, `choices[0].usage`).
 */
export function usageOf(value: Record<string, unknown>): Usage | undefined {
  const top = readUsage(value.usage);
  if (top !== undefined) return top;
  const groq = isObject(value.x_groq) ? readUsage(value.x_groq.usage) : undefined;
  if (groq !== undefined || !Array.isArray(value.choices)) return groq;
  for (const choice of value.choices) {
    const inChoice = isObject(choice) ? readUsage(choice.usage) : undefined;
    if (inChoice !== undefined) return inChoice;
  }
  return undefined;
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
    usage: usageOf(value),
    usageOnly: value.choices.length === 0,
    model: typeof value.model === 'string' ? value.model : undefined,
  };
  for (const choice of value.choices) {
    if (!isObject(choice)) return undefined;
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) info.toolCall = info.token = true;
    // Reasoning arrives as `reasoning_content` (DeepSeek, xAI, Qwen, Zhipu) or `reasoning` (OpenRouter, Ollama, Groq).
    if (nonEmpty(delta.content) || nonEmpty(delta.reasoning_content) || nonEmpty(delta.reasoning) || nonEmpty(delta.refusal)) {
      info.token = true;
    }
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
