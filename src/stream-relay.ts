// Relays a committed upstream stream to the caller: idle timeout, finalisation, in-band errors.

import { encodeEvents, finishedCleanly, inBandErrorData, isObject, parseJson, readChunk, type Usage } from './protocols/openai.ts';
import { ChunkAssembler } from './protocols/openai-replay.ts';
import { type Broken, brokenBy } from './stream-break.ts';
import { type Rescued, type RescueRecord, type Rescuer, Seam } from './stream-rescue.ts';
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
  /** Streams continued by a later target after the one before broke (SPEC "Stream rescue"), in order. */
  rescues: RescueRecord[];
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
  /** Provider id of the committed stream, for rescue records. */
  provider: string;
  /** Continues a broken stream on a later target; absent when stream rescue is off or nobody can. */
  rescue?: Rescuer;
}

// An answer larger than this is streamed but not cached.
const MAX_ASSEMBLED = 1_000_000;

/**
 * Turns a committed stream into the caller's body. Pull-based with no high-water mark, so only
 * what the caller reads is read upstream. Finishes with `[DONE]` once every choice has finished
 * (and usage arrived or its grace passed), even when the vendor never sends `[DONE]`; any other
 * end becomes an in-band error event, never a truncated answer that looks complete, unless a
 * later target continues the answer (`options.rescue`): its new text then follows on the same
 * stream, and a failed rescue still ends with the original error.
 */
export function relayStream(
  committed: CommittedStream,
  options: RelayOptions,
): { body: ReadableStream<Uint8Array>; done: Promise<StreamSummary> } {
  let { reader, clock } = committed;
  const { firstChunk } = committed;
  const finished = new Set<number>();
  const summary: StreamSummary = {
    outcome: 'complete',
    usage: undefined,
    model: firstChunk.model,
    malformed: committed.malformed,
    toolCall: false,
    ms: 0,
    rescues: [],
  };
  let out: string[] = [];
  let assembler: ChunkAssembler | undefined = options.assemble ? new ChunkAssembler() : undefined;
  let rescue = options.choices === 1 ? options.rescue : undefined;
  let provider = options.provider;
  let idleTimeoutMs = options.idleTimeoutMs;
  // What the caller has (or is about to have) of the answer, for a rescue's prefix.
  let sent = '';
  let pieces = 0;
  let first: { id: unknown; created: unknown } = { id: undefined, created: undefined };
  let seam: Seam | undefined;
  let ended = false;
  let graceArmed = false;
  let resolveDone: (s: StreamSummary) => void = () => {};
  const done = new Promise<StreamSummary>((resolve) => {
    resolveDone = resolve;
  });

  /** Takes one event: checks it, rewrites it after a rescue, queues it for the caller. */
  const take = (text: string, parsed: Record<string, unknown>): void => {
    if (seam !== undefined && !seam.rewrite(parsed)) return;
    const chunk = readChunk(parsed);
    if (chunk === undefined) {
      summary.malformed++;
      return;
    }
    let data = seam === undefined ? text : JSON.stringify(parsed);
    if (first.id === undefined) first = { id: parsed.id, created: parsed.created };
    for (const index of chunk.finished) finished.add(index);
    if (chunk.model !== undefined) summary.model = chunk.model;
    if (chunk.usage !== undefined) {
      summary.usage = chunk.usage;
      // Usage found elsewhere (a choice, Groq's x_groq) is given top-level, where SDKs read it.
      if (!isObject(parsed.usage)) {
        parsed.usage = chunk.usage;
        data = JSON.stringify(parsed);
      }
    }
    if (chunk.toolCall) summary.toolCall = true;
    if (rescue !== undefined) {
      const content = contentOf(parsed);
      if (content !== '') {
        sent += content;
        pieces++;
        if (sent.length > MAX_ASSEMBLED) rescue = undefined;
      }
    }
    if (!chunk.usageOnly || options.clientWantsUsage) out.push(data);
    if (assembler !== undefined) {
      assembler.add(parsed);
      if (assembler.size > MAX_ASSEMBLED) assembler = undefined;
    }
  };

  const startSegment = (segment: CommittedStream, idleMs: number, attemptEnd: number): void => {
    clock.setHard('attempt', attemptEnd - Date.now());
    clock.setPhase('idle', idleMs);
    summary.malformed += seam === undefined ? 0 : segment.malformed;
    for (const data of segment.prefix) take(data, JSON.parse(data) as Record<string, unknown>);
  };
  startSegment(committed, idleTimeoutMs, options.attemptEnd);

  const allFinished = (): boolean => finished.size >= options.choices;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, error?: Broken, drain = false): Promise<void> | undefined => {
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

  /** Asks a later target to continue; true when one took over (the loop reads on from it). */
  const rescued = async (broken: Broken): Promise<boolean> => {
    const ask = rescue;
    if (ask === undefined || summary.toolCall || allFinished()) return false;
    reader.cancel();
    clock.stop();
    clock.abort();
    const next: Rescued | undefined = await ask(sent, broken.failure);
    if (next === undefined) return false;
    if (ended) {
      next.committed.clock.stop();
      next.committed.clock.abort();
      return false;
    }
    summary.rescues.push({ from: provider, error: broken.code, to: next.provider, model: next.model });
    ({ reader, clock } = next.committed);
    provider = next.provider;
    rescue = next.rescue;
    idleTimeoutMs = next.idleTimeoutMs;
    // A rescued answer is whole but stitched from two vendors: served, never cached.
    assembler = undefined;
    seam = new Seam(first, summary.usage, pieces, next.trimmed);
    startSegment(next.committed, idleTimeoutMs, next.committed.startedAt + next.attemptTimeoutMs);
    return true;
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
          const parsed = data === null || data === '[DONE]' ? undefined : parseJson(data);
          const broken = brokenBy(data, parsed, clock.timedOut, options.secrets);
          if (broken !== undefined) {
            if (allFinished() && broken.code !== 'upstream_error') return end(controller);
            if (await rescued(broken)) continue;
            if (ended) return;
            return end(controller, broken);
          }
          if (data === null) continue;
          if (data === '[DONE]') return end(controller, undefined, true);
          if (!graceArmed) clock.setPhase('idle', idleTimeoutMs);
          if (!isObject(parsed)) {
            summary.malformed++;
            continue;
          }
          take(data, parsed);
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

/** The content text of choice 0 in a chunk. */
function contentOf(chunk: Record<string, unknown>): string {
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : undefined;
  return typeof delta?.content === 'string' ? delta.content : '';
}
