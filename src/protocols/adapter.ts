// The two sides of a wire protocol adapter: what a caller sends and gets back, and how a target is called and read.
import type { ResolvedTarget } from '../config/load.ts';
import type { ProxyError } from '../errors.ts';
import type { Json } from './json.ts';
import type { ModelAnswer, ModelEvent, ModelRequest, Usage } from './model.ts';

/** The request protocols callers speak, one per route family. */
export type CallerId = 'openai-chat' | 'openai-responses' | 'openai-embeddings' | 'anthropic-messages';

/** What a caller's HTTP request gives an adapter besides its body. */
export interface HttpFacts {
  header(name: string): string | undefined;
  /** The query string as sent, `''` or starting with `?`. */
  query: string;
}

/** Caller headers (and query) a target of the caller's own protocol gets as sent. */
export interface Forwarded {
  headers: Record<string, string>;
  query: string;
}

/**
 * One inbound request, parsed by its caller adapter: what the proxy itself needs, the body exactly
 * as the caller wrote it, and the protocol-specific steps bound to it.
 */
export interface CallerRequest {
  readonly caller: CallerAdapter;
  /** The body as sent. Never changed: targets get copies. */
  readonly body: Json;
  /** The model alias asked for. */
  readonly model: string;
  readonly stream: boolean;
  readonly messageCount: number;
  /** The output token limit the caller asked for, if any. */
  readonly maxTokens: number | undefined;
  /** The request makes the model write (chat); false for embeddings, which have no output tokens. */
  readonly generates: boolean;
  /** Choices asked for (`n`). */
  readonly choices: number;
  /** The caller asked to see the usage of a stream (Anthropic streams always carry it). */
  readonly wantsUsage: boolean;
  readonly forward: Forwarded;
  /**
   * Fields the proxy acted on instead of the vendor (a Responses `previous_response_id` it expanded
   * into the history it sent), which a passed-through answer repeats as the caller sent them.
   */
  readonly echoed?: Json;
  /** The request in the internal shape, built on first use; throws UnsupportedRequest when it has none. */
  toModel(): ModelRequest;
  /** What identifies the answer, for the cache key: the body without the fields that do not change it. */
  cacheIdentity(): unknown;
  /** The text of the last user message, for degraded replies; undefined for requests that get none (embeddings). */
  lastUserText(): string | undefined;
  /**
   * What names the request's conversation for sticky routing when the caller sends no session
   * header: its `prompt_cache_key` (Chat Completions) or `metadata.user_id` (Messages), else its
   * system prompt and first user message.
   */
  sessionHint(): string;
  /** A whole answer in the caller's protocol. */
  encodeAnswer(answer: ModelAnswer): Json;
  /** A fresh stream encoder in the caller's protocol. */
  encoder(): StreamEncoder;
}

/** One event of the caller's stream: parsed JSON (or `'[DONE]'`), and its text when it is passed on as the vendor sent it. */
export interface WireEvent {
  event?: string;
  data: unknown;
  raw?: string;
}

/** An upstream SSE event: its name (when the wire names events) and its data text. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** What a whole answer says about itself: who answered, usage, and whether it may be cached. */
export interface AnswerFacts {
  model: string | undefined;
  usage: Usage | undefined;
  /** False when it ended filtered or failed: served, never cached. */
  cacheable: boolean;
}

/**
 * Writes the caller's stream. `pass` takes an upstream event of the caller's own protocol and
 * passes it on (lossless) while keeping its state in step; `encode` writes internal events in the
 * caller's protocol (a translated stream, a rescue's continuation, a replay). Both may be used on
 * one stream: a passthrough stream rescued by another vendor continues through `encode`.
 */
export interface StreamEncoder {
  pass(sse: SseEvent, parsed: unknown, events: readonly ModelEvent[]): WireEvent[];
  encode(event: ModelEvent): WireEvent[];
  /** The stream ended well without the vendor's end marker: what the caller still needs. */
  end(): WireEvent[];
  /** Ends the stream with an in-band error in the caller's protocol. */
  fail(code: string, message: string): WireEvent[];
}

/** Builds the whole answer a caller's stream amounts to, for the cache; undefined when it cannot. */
export interface Assembler {
  add(event: WireEvent): void;
  /** Characters held so far (assembly is given up past a bound). */
  readonly size: number;
  /** The whole answer; `usage` is the stream's own report, for a caller that was not shown it. */
  result(usage: Usage | undefined): Json | undefined;
}

/** The static side of a caller protocol. */
export interface CallerAdapter {
  readonly id: CallerId;
  /** Checks what the proxy needs of a body (a ProxyError 400 otherwise) and binds the rest. */
  parse(body: unknown, http: HttpFacts): CallerRequest;
  /** A proxy error in the caller's protocol. */
  errorBody(err: ProxyError): Json;
  /** Reads a whole answer of this protocol (a passthrough answer, a cache entry); undefined when it is not one. */
  readAnswer(value: unknown): AnswerFacts | undefined;
  assembler(): Assembler;
  /** A whole answer of this protocol replayed as its stream. */
  replay(answer: Json, request: CallerRequest): WireEvent[];
}

/** Turns one upstream event (data already parsed once) into internal events; undefined for a malformed one. */
export type EventDecoder = (sse: SseEvent, parsed: unknown) => ModelEvent[] | undefined;

/** One request ready for one target. */
export interface TargetCall {
  /** Full URL: base URL, path and any forwarded query. */
  url: string;
  headers: Record<string, string>;
  body: Json;
  /** `passthrough`: the caller's own protocol, answered as the vendor sent it; `translate`: through the internal shape. */
  mode: 'passthrough' | 'translate';
  /** Of a translated call: what the caller sent that the target does not get (for the log line). */
  dropped?: string[];
}

/** The static side of a target protocol. */
export interface TargetAdapter {
  /** Callers whose requests this protocol takes as they are. */
  readonly native: readonly CallerId[];
  /** Whether a provider of this protocol continues a trailing assistant message unless its preset says otherwise. */
  readonly prefillByDefault: boolean;
  /**
   * The caller's own request for a target of its protocol: its body with the target's model and the
   * proxy's additions (`limit`: the output limit to set when the request names none).
   */
  passthrough(request: CallerRequest, target: ResolvedTarget, key: string | undefined, limit: number | undefined): TargetCall;
  /** A translated request for a target; throws UnsupportedRequest for what this protocol cannot carry. */
  translate(request: ModelRequest, target: ResolvedTarget, key: string | undefined, limit: number | undefined): TargetCall;
  /** The same call asking the vendor to continue `text` as its own answer (stream rescue). */
  continuation(call: TargetCall, text: string, target: ResolvedTarget): TargetCall & { trimmed: boolean };
  /** A whole answer of this protocol in the internal shape; undefined when the body is not one. */
  decodeAnswer(value: unknown): ModelAnswer | undefined;
  /** A decoder for one stream of this protocol (it keeps the stream's state). */
  eventDecoder(startedAt: number): EventDecoder;
}
