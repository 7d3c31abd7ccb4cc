// Relays a committed upstream stream to the caller: idle timeout, finalisation, in-band errors.
import {
  encodeEvents,
  finishedCleanly,
  inBandErrorData,
  isObject,
  parseJson,
  readChunk,
  streamErrorOf,
  type Usage,
} from './protocols/openai.ts';
import { ChunkAssembler } from './protocols/openai-replay.ts';
import { scrub } from './scrub.ts';
import type { CommittedStream } from './upstream.ts';

// After every choice has finished, how long to wait for a usage chunk that has not come yet.
const USAGE_GRACE_MS = 1000;

/** How a relayed stream ended, for the log line and (later) the breaker and the cache. */
export interface StreamSummary {
  outcome: 'complete' | 'error' | 'aborted';
  /** In-band error code sent to the caller when outcome is `error`. */
  error?: string;
  usage: Usage | undefined;
  model: string | undefined;
  malformed: number;
  toolCall: boolean;
  /** Upstream time from the attempt's start to the end of the stream. */
  ms: number;
  /** The whole answer as a `chat.completion`, when assembling was asked and the stream ended well. */
  completion?: Record<string, unknown>;
}

export interface RelayOptions {
  /** Number of choices the caller asked for (`n`). */
  choices: number;
  clientWantsUsage: boolean;
  idleTimeoutMs: number;
  /** Absolute end of the attempt; the request deadline no longer applies after the commit point. */
  attemptEnd: number;
  secrets: readonly string[];
  /** Assemble the answer for the cache (given up past MAX_ASSEMBLED characters). */
  assemble: boolean;
}

// An answer larger than this is streamed but not cached.
const MAX_ASSEMBLED = 1_000_000;

/**
 * Turns a committed stream into the caller's body. Pull-based with no high-water mark, so only
 * what the caller reads is read upstream. Finishes with `[DONE]` once every choice has finished
 * (and usage arrived or its grace passed), even when the vendor never sends `[DONE]`; any other
 * end becomes an in-band error event, never a truncated answer that looks complete.
 */
export function relayStream(
  committed: CommittedStream,
  options: RelayOptions,
): { body: ReadableStream<Uint8Array>; done: Promise<StreamSummary> } {
  const { reader, clock, firstChunk } = committed;
  const finished = new Set<number>(firstChunk.finished);
  const summary: StreamSummary = {
    outcome: 'complete',
    usage: firstChunk.usage,
    model: firstChunk.model,
    malformed: committed.malformed,
    toolCall: firstChunk.toolCall,
    ms: 0,
  };
  let out: string[] = committed.prefix;
  let assembler: ChunkAssembler | undefined;
  if (options.assemble) {
    assembler = new ChunkAssembler();
    for (const data of committed.prefix) assembler.add(JSON.parse(data) as Record<string, unknown>);
  }
  let ended = false;
  let graceArmed = false;
  let resolveDone: (s: StreamSummary) => void = () => {};
  const done = new Promise<StreamSummary>((resolve) => {
    resolveDone = resolve;
  });

  clock.setHard('attempt', options.attemptEnd - Date.now());
  clock.setPhase('idle', options.idleTimeoutMs);

  const allFinished = (): boolean => finished.size >= options.choices;
  const end = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    error?: { code: string; message: string },
    drain = false,
  ): Promise<void> | undefined => {
    ended = true;
    out.push(error === undefined ? '[DONE]' : inBandErrorData(error.code, error.message));
    controller.enqueue(encodeEvents(out));
    out = [];
    controller.close();
    clock.stop();
    summary.outcome = error === undefined ? 'complete' : 'error';
    if (error !== undefined) summary.error = error.code;
    else if (assembler !== undefined && allFinished()) {
      const completion = assembler.result();
      if (finishedCleanly(completion)) summary.completion = completion;
    }
    summary.ms = Date.now() - committed.startedAt;
    resolveDone(summary);
    // After [DONE] the body is about to end: reading its end lets the runtime reuse the
    // connection. Any other end (finish without [DONE], error, timeout) cancels it at once.
    if (drain) return reader.drain().finally(() => reader.cancel());
    reader.cancel();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (out.length > 0 && !allFinished()) {
          controller.enqueue(encodeEvents(out));
          out = [];
          return;
        }
        for (;;) {
          if (allFinished() && reader.buffered === 0) {
            if (summary.usage !== undefined) return end(controller);
            if (!graceArmed) {
              graceArmed = true;
              clock.setPhase('idle', USAGE_GRACE_MS);
            }
          }
          let data: string | null;
          try {
            data = await reader.next();
          } catch {
            data = null;
          }
          if (ended) return;
          if (clock.timedOut !== undefined) {
            if (allFinished()) return end(controller);
            const code = clock.timedOut === 'idle' ? 'idle_timeout' : 'attempt_timeout';
            return end(controller, { code, message: `The upstream provider stopped responding (${code}); the answer is incomplete.` });
          }
          if (data === null) {
            if (allFinished()) return end(controller);
            return end(controller, {
              code: 'stream_interrupted',
              message: 'The upstream connection was cut before the answer finished; the answer is incomplete.',
            });
          }
          if (data === '[DONE]') return end(controller, undefined, true);
          if (!graceArmed) clock.setPhase('idle', options.idleTimeoutMs);
          const parsed = parseJson(data);
          const info = streamErrorOf(parsed);
          if (info !== undefined) {
            const detail = scrub(info.message, options.secrets) || 'upstream error';
            return end(controller, { code: 'upstream_error', message: `The upstream provider failed mid-answer: ${detail}` });
          }
          const chunk = readChunk(parsed);
          if (chunk === undefined) {
            summary.malformed++;
            continue;
          }
          for (const index of chunk.finished) finished.add(index);
          if (chunk.usage !== undefined) {
            summary.usage = chunk.usage;
            // Usage found elsewhere (a choice, Groq's x_groq) is given top-level, where SDKs read it.
            const object = parsed as Record<string, unknown>;
            if (!isObject(object.usage)) {
              object.usage = chunk.usage;
              data = JSON.stringify(object);
            }
          }
          if (chunk.toolCall) summary.toolCall = true;
          if (!chunk.usageOnly || options.clientWantsUsage) out.push(data);
          if (assembler !== undefined) {
            assembler.add(parsed as Record<string, unknown>);
            if (assembler.size > MAX_ASSEMBLED) assembler = undefined;
          }
          if (reader.buffered === 0 && out.length > 0 && !allFinished()) {
            controller.enqueue(encodeEvents(out));
            out = [];
            return;
          }
        }
      },
      cancel() {
        if (ended) return;
        ended = true;
        clock.stop();
        clock.abort();
        summary.outcome = 'aborted';
        summary.ms = Date.now() - committed.startedAt;
        resolveDone(summary);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, done };
}
