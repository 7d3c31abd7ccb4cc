// One call to one target: fetch with deadlines, read the answer or the error. Never throws.
import { AttemptClock } from './attempt-clock.ts';
import type { ResolvedTarget } from './config/load.ts';
import { parseRetryAfter, type UpstreamFailure } from './fallback.ts';
import { type ChunkInfo, type CompletionInfo, isObject, parseJson, readChunk, readErrorInfo, streamErrorOf } from './protocols/openai.ts';
import { scrub } from './scrub.ts';
import { SseReader } from './sse-reader.ts';
import { protocolHeaders, type TargetRequest } from './target-request.ts';

const MAX_ERROR_BODY = 64 * 1024;

export interface AttemptInput {
  target: ResolvedTarget;
  key: string | undefined;
  /** The request in the target's protocol, and how to read its answer. */
  request: TargetRequest;
  stream: boolean;
  /** The caller asked for the usage chunk (`stream_options.include_usage`). */
  clientWantsUsage: boolean;
  requestId: string;
  fetch: typeof fetch;
  clientSignal: AbortSignal | undefined;
  /** Absolute time (ms) after which nothing may wait. */
  deadlineAt: number;
  /** Known secrets, scrubbed from anything read upstream. */
  secrets: readonly string[];
}

/** A stream past its commit point: the events before and at the first token, and the live reader. */
export interface CommittedStream {
  prefix: string[];
  firstChunk: ChunkInfo;
  reader: SseReader;
  clock: AttemptClock;
  malformed: number;
  startedAt: number;
}

export type AttemptResult =
  | { ok: true; kind: 'json'; text: string; info: CompletionInfo; status: number; ms: number }
  | { ok: true; kind: 'stream'; committed: CommittedStream; status: number; ms: number }
  | { ok: false; failure: UpstreamFailure; status: number | null; ms: number; aborted: boolean };

/** Makes one attempt. Failures come back as data for `classify`, never as exceptions. */
export async function attempt(input: AttemptInput): Promise<AttemptResult> {
  const { target, stream } = input;
  const startedAt = Date.now();
  const retry = target.retry;
  const clock = new AttemptClock(input.clientSignal);
  const toDeadline = input.deadlineAt - startedAt;
  clock.setHard(retry.attemptTimeoutMs <= toDeadline ? 'attempt' : 'deadline', Math.min(retry.attemptTimeoutMs, toDeadline));
  if (stream) clock.setPhase('connect', retry.connectTimeoutMs);
  const fail = (failure: UpstreamFailure, status: number | null = null): AttemptResult => {
    clock.stop();
    clock.abort();
    const timed = clock.timedOut;
    const actual: UpstreamFailure = timed !== undefined ? { kind: 'timeout', phase: timed } : failure;
    return { ok: false, failure: actual, status, ms: Date.now() - startedAt, aborted: clock.clientAborted };
  };

  let response: Response;
  try {
    response = await input.fetch(`${input.request.baseUrl ?? target.provider.baseUrl}${input.request.path}`, {
      method: 'POST',
      headers: upstreamHeaders(input),
      body: input.request.body,
      signal: clock.signal,
    });
  } catch (err) {
    return fail({ kind: 'network', message: scrub(errorMessage(err), input.secrets) });
  }
  const status = response.status;
  try {
    if (status < 200 || status >= 300) {
      const text = await readBounded(response);
      const parsed = parseJson(text);
      const info = readErrorInfo(parsed === undefined ? text : parsed);
      const retryAfterMs = parseRetryAfter(response.headers, Date.now());
      return fail({ kind: 'http', status, ...info, message: scrub(info.message, input.secrets), retryAfterMs }, status);
    }
    const isSse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (!stream || !isSse) {
      const raw = await response.text();
      const { toOpenAI, readSuccess } = input.request;
      const vendor = parseJson(raw);
      const parsed = toOpenAI === undefined || vendor === undefined ? vendor : toOpenAI(vendor, Date.now());
      const info = parsed === undefined ? undefined : readSuccess(parsed);
      if (info !== undefined && !stream) {
        clock.stop();
        const text = toOpenAI === undefined ? raw : JSON.stringify(parsed);
        return { ok: true, kind: 'json', text, info, status, ms: Date.now() - startedAt };
      }
      if (isObject(vendor) && 'error' in vendor) {
        const err = readErrorInfo(vendor);
        return fail({ kind: 'stream_error', ...err, message: scrub(err.message, input.secrets) }, status);
      }
      return fail({ kind: 'bad_response', message: stream ? 'answer is not an event stream' : 'answer is not a chat completion' }, status);
    }
    if (response.body === null) return fail({ kind: 'bad_response', message: 'empty body' }, status);
    return await waitForCommit(input, response.body, clock, startedAt, fail);
  } catch (err) {
    return fail({ kind: 'network', message: scrub(errorMessage(err), input.secrets) }, status);
  }
}

/**
 * Reads events until the first token (the commit point). Until then nothing has reached the
 * caller, so every failure here falls over like a non-streaming one.
 */
async function waitForCommit(
  input: AttemptInput,
  body: ReadableStream<Uint8Array>,
  clock: AttemptClock,
  startedAt: number,
  fail: (failure: UpstreamFailure, status: number | null) => AttemptResult,
): Promise<AttemptResult> {
  const reader = new SseReader(body, input.request.translator?.(startedAt));
  clock.onExpire = () => reader.cancel();
  clock.setPhase('first_token', input.target.retry.firstTokenTimeoutMs - (Date.now() - startedAt));
  const prefix: string[] = [];
  let malformed = 0;
  for (;;) {
    const data = await reader.next();
    if (data === null) return fail({ kind: 'network', message: 'stream ended before the first token' }, 200);
    if (data === '[DONE]') return fail({ kind: 'bad_response', message: 'stream finished without an answer' }, 200);
    const parsed = parseJson(data);
    const err = streamErrorOf(parsed);
    if (err !== undefined) {
      reader.cancel();
      return fail({ kind: 'stream_error', ...err, message: scrub(err.message, input.secrets) }, 200);
    }
    const chunk = readChunk(parsed);
    if (chunk === undefined) {
      malformed++;
      continue;
    }
    if (!chunk.usageOnly || input.clientWantsUsage) prefix.push(data);
    if (chunk.token) {
      const committed = { prefix, firstChunk: chunk, reader, clock, malformed, startedAt };
      return { ok: true, kind: 'stream', committed, status: 200, ms: Date.now() - startedAt };
    }
  }
}

function upstreamHeaders(input: AttemptInput): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: input.stream ? 'text/event-stream' : 'application/json',
    'x-request-id': input.requestId,
    ...protocolHeaders(input.request.protocol, input.key),
    ...input.target.provider.headers,
  };
}

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (text.length > MAX_ERROR_BODY) {
      reader.cancel().catch(() => {});
      return text.slice(0, MAX_ERROR_BODY);
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
