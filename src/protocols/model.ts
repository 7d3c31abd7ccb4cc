// The one internal shape of a model call: what crosses between wire protocols when caller and target differ.
import type { Json } from './json.ts';

/**
 * Token usage in OpenAI's terms (what logs, budgets and cost read): cached and cache-written input
 * tokens are part of `prompt_tokens`, reasoning tokens part of `completion_tokens`. The optional
 * details say how much of each was which, for protocols that report them apart.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Input tokens read from the vendor's prompt cache. */
  cached_tokens?: number;
  /** Input tokens written to the vendor's prompt cache. */
  cache_write_tokens?: number;
  /** Output tokens spent on reasoning. */
  reasoning_tokens?: number;
}

/** Why an answer ended, in the proxy's terms (OpenAI's finish reasons). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** One piece of a message. Text parts may carry a vendor cache mark, kept only where it means something. */
export type ModelPart =
  | { type: 'text'; text: string; cacheControl?: Json }
  /** An image by URL: an `https:` address or a `data:` URL. */
  | { type: 'image'; url: string; detail?: string }
  /** A document: inline as a `data:` URL, or a vendor file id. */
  | { type: 'file'; data?: string; fileId?: string; filename?: string }
  /** Reasoning the model showed; `signature` lets the vendor that wrote it verify it when it comes back. */
  | { type: 'reasoning'; text: string; signature?: string }
  /** Reasoning the vendor keeps encrypted; only the vendor that wrote it can read it. */
  | { type: 'redacted-reasoning'; data: string }
  | { type: 'tool-call'; id: string; name: string; arguments: string }
  | { type: 'tool-result'; callId: string; content: ModelPart[]; isError?: boolean };

export type ModelRole = 'user' | 'assistant';

/** A turn of the conversation; tool results travel in user turns (Anthropic's way, OpenAI's `tool` role). */
export interface ModelMessage {
  role: ModelRole;
  parts: ModelPart[];
}

/** A function the model may call. */
export interface ModelTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: Json;
  strict?: boolean;
  cacheControl?: Json;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The output format asked for: free text, any JSON object, or JSON matching a schema. */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Json; strict?: boolean };

/**
 * A request in the internal shape. Built by a caller adapter only when a request crosses protocols;
 * a target of the caller's own protocol gets the caller's body instead (lossless passthrough).
 */
export interface ModelRequest {
  /** System instructions (system and developer messages), in order. */
  system: Extract<ModelPart, { type: 'text' }>[];
  messages: ModelMessage[];
  tools: ModelTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Output token limit the caller asked for. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** End-user id for the vendor's abuse monitoring. */
  user?: string;
  responseFormat?: ResponseFormat;
  /** Reasoning asked for: an effort level and/or a token budget (Anthropic thinking). */
  reasoning?: { effort?: string; budgetTokens?: number };
  stream: boolean;
  /**
   * What the caller sent that has no meaning for other protocols, by name, for the log line
   * (`dropped`): the target still serves the request, without it.
   */
  dropped: string[];
}

/** A whole answer in the internal shape (one choice). */
export interface ModelAnswer {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  parts: ModelPart[];
  finish: FinishReason;
  /** False when the vendor ended it filtered or failed: served, never cached. */
  cacheable: boolean;
  usage?: Usage;
}

/** An error a vendor reported, as the fallback classifier reads it. */
export interface ErrorInfo {
  /** Error code, lower-cased; empty when absent. */
  code: string;
  /** Error type, lower-cased; empty when absent. */
  type: string;
  message: string;
}

/**
 * What one upstream stream event means, decoded once by the target's adapter. The relay reads
 * these for its decisions (commit point, finish, usage, errors, rescue text), and a caller of
 * another protocol gets them encoded in its own.
 */
export type ModelEvent =
  /** The answer began (a preamble: not yet a token). */
  | { type: 'start'; id?: string; model?: string; created?: number; usage?: Usage }
  | { type: 'text'; text: string; choice: number }
  | { type: 'reasoning'; text: string; choice: number }
  | { type: 'reasoning-signature'; signature: string; choice: number }
  | { type: 'redacted-reasoning'; data: string; choice: number }
  /** A tool call begins (id and name) or its arguments grow; `index` is its position in the answer. */
  | { type: 'tool-call'; choice: number; index: number; id?: string; name?: string; arguments: string }
  /** Output with no equivalent in other protocols (a server tool block, a citation): a token, never translated. */
  | { type: 'opaque'; choice: number }
  | { type: 'finish'; choice: number; reason: FinishReason }
  | { type: 'usage'; usage: Usage }
  | { type: 'error'; error: ErrorInfo }
  /** The vendor's end-of-stream marker (`[DONE]`, `message_stop`). */
  | { type: 'done' };

/** A request a target cannot serve as asked: the target is skipped (`unsupported_request`) with this reason. */
export class UnsupportedRequest extends Error {
  override readonly name = 'UnsupportedRequest';
}

/** Whether an event is answer content (a token): the first one is a stream's commit point. */
export function isToken(event: ModelEvent): boolean {
  switch (event.type) {
    case 'text':
    case 'reasoning':
      return event.text !== '';
    case 'reasoning-signature':
    case 'redacted-reasoning':
    case 'tool-call':
    case 'opaque':
    case 'finish':
      return true;
    default:
      return false;
  }
}

/** The text of a message's text parts, joined. */
export function textOf(parts: readonly ModelPart[], separator = ''): string {
  let out = '';
  let first = true;
  for (const part of parts) {
    if (part.type !== 'text') continue;
    out += first ? part.text : separator + part.text;
    first = false;
  }
  return out;
}
