// Relays a committed upstream stream to the caller: the shell around `step` that reads, writes and keeps time.
import type { ResolvedTarget } from '../config/load.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { SseEvent, WireEvent } from '../protocols/adapter.ts';
import type { Json } from '../protocols/json.ts';
import { parseJson } from '../protocols/json.ts';
import type { ModelEvent, Usage } from '../protocols/model.ts';
import type { CommittedStream, Decoded } from '../upstream/attempt.ts';
import { type Broken, brokenBy } from './break.ts';
import { encodeSse } from './encode.ts';
import { askRescuers, type RescueRecord, rescuersOf } from './rescue.ts';
import { Seam, segmentUsages, type Segment as UsageSegment } from './seam.ts';
import { allFinished, initialState, type StepInput, step } from './step.ts';

// After every choice has finished, how long to wait for a usage report that has not come yet.
const USAGE_GRACE_MS = 1000;
// An answer larger than this (characters) is streamed but neither cached nor continued by another vendor.
const MAX_HELD = 1_000_000;

/** How a relayed stream ended: for the breakers, the cache and the log line. */
export interface StreamSummary {
  outcome: 'complete' | 'error' | 'aborted';
  /** In-band error code sent to the caller when outcome is `error`. */
  error?: string;
  usage: Usage | undefined;
  model: string | undefined;
  /** The provider whose stream ended it (the last rescuer, when there was a rescue). */
  provider: string;
  malformed: number;
  /** Upstream time from the first attempt's start to the end of the stream. */
  ms: number;
  /** The whole answer in the caller's protocol, when assembling for the cache was asked and the stream ended well, unrescued. */
  answer?: Json;
  /** The whole answer in the caller's protocol, rescued or not, when keeping it was asked and the stream ended well. */
  whole?: Json;
  /** Streams continued by a later target after the one before broke, in order. */
  rescues: RescueRecord[];
  /** Each vendor's part of the answer with its own usage (estimated for a broken part that reported none): for pricing. */
  segments: UsageSegment[];
}

/** One upstream event read as a step input, or how reading ended (cut, timed out). */
interface Read {
  input: StepInput;
  decoded?: Decoded;
  events?: ModelEvent[];
}

/** What the relay assembles the caller's stream into a whole answer for: the cache, and a stored conversation (`keep`). */
export interface Assembly {
  cache: boolean;
  keep: boolean;
}

/** The upstream stream being relayed: the first one, or a rescuer's after a break. */
interface Segment {
  committed: CommittedStream;
  index: number;
  provider: string;
  /** Rewrites a rescuer's events to continue the caller's stream; undefined for the first segment. */
  seam: Seam | undefined;
}

/**
 * Turns a committed stream into the caller's body, in the caller's protocol: events of the
 * caller's own protocol pass as the vendor sent them, others are encoded from their internal
 * events. Pull-based with a high-water mark of one chunk: the next upstream read starts as soon as
 * a chunk is handed on, without the runtime calling back into the isolate to ask for it (about
 * 10 us of CPU per chunk, measured), and no more than one chunk waits for a caller that reads
 * slowly. Each event is parsed once. How it ends is `step`'s decision: whole (the caller gets the end
 * marker, even when the vendor never sent it), rescued by a later target (its new text follows on
 * the same stream), or an in-band error, never a truncated answer that looks complete.
 */
export function relay(
  ctx: RequestContext,
  index: number,
  committed: CommittedStream,
  assemble: Assembly,
): { body: ReadableStream<Uint8Array>; done: Promise<StreamSummary> } {
  const { request } = ctx;
  const encoder = request.encoder();
  let assembler = assemble.cache || assemble.keep ? request.caller.assembler() : undefined;
  // A rescued answer is whole but stitched from two vendors: kept for a stored conversation, never cached.
  let cacheable = assemble.cache;
  const target = (i: number): ResolvedTarget => ctx.targets[i] as ResolvedTarget;
  let segment: Segment = { committed, index, provider: target(index).provider.id, seam: undefined };
  let state = initialState(request.choices, request.choices === 1 && rescuersOf(ctx.targets, index).length > 0);
  const summary: StreamSummary = {
    outcome: 'complete',
    usage: undefined,
    model: committed.model,
    provider: segment.provider,
    malformed: committed.malformed,
    ms: 0,
    rescues: [],
    segments: [],
  };
  const segments: UsageSegment[] = [{ index, provider: segment.provider, pieces: 0 }];
  let out: WireEvent[] = [];
  // What the caller has (or is about to have) of the answer, for a rescue's prefix.
  let sent = '';
  let pieces = 0;
  let ended = false;
  let resolveDone: (s: StreamSummary) => void = () => {};
  const done = new Promise<StreamSummary>((resolve) => {
    resolveDone = resolve;
  });

  const emit = (wires: readonly WireEvent[]): void => {
    for (const wire of wires) {
      out.push(wire);
      if (assembler === undefined) continue;
      assembler.add(wire);
      if (assembler.size > MAX_HELD) assembler = undefined;
    }
  };
  /** The events of a decoded upstream event, after the seam of a rescuer's stream. */
  const eventsOf = (decoded: Decoded): ModelEvent[] => {
    const { seam } = segment;
    return seam === undefined ? decoded.events : decoded.events.flatMap((e) => seam.rewrite(e) ?? []);
  };
  /** Passes one upstream event on: as the vendor sent it, or encoded in the caller's protocol. */
  const take = (decoded: Decoded, events: readonly ModelEvent[]): void => {
    const own = segments.at(-1) as UsageSegment;
    for (const event of decoded.events) {
      if (event.type === 'usage') own.usage = event.usage;
      else if (event.type === 'text' && event.choice === 0) own.pieces++;
    }
    for (const event of events) {
      if (event.type === 'usage') summary.usage = event.usage;
      else if (event.type === 'start' && event.model !== undefined) summary.model = event.model;
      else if (event.type === 'text' && event.choice === 0 && state.rescuable) {
        sent += event.text;
        pieces++;
        if (sent.length > MAX_HELD) state = { ...state, rescuable: false };
      }
    }
    if (segment.committed.mode === 'passthrough' && segment.seam === undefined)
      emit(encoder.pass(decoded.sse, decoded.parsed, decoded.events));
    else for (const event of events) emit(encoder.encode(event));
  };
  const idleMs = (): number => target(segment.index).retry.idleTimeoutMs;
  const startSegment = (): void => {
    const { clock, prefix, startedAt } = segment.committed;
    clock.setHard('attempt', startedAt + target(segment.index).retry.attemptTimeoutMs - Date.now());
    clock.setPhase('idle', idleMs());
    for (const decoded of prefix) {
      const events = eventsOf(decoded);
      state = step(state, { kind: 'events', events }).state;
      take(decoded, events);
    }
  };
  startSegment();

  const flush = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    controller.enqueue(encodeSse(out));
    out = [];
  };
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, broken?: Broken): void => {
    ended = true;
    emit(broken === undefined ? encoder.end() : encoder.fail(broken.code, broken.message));
    flush(controller);
    controller.close();
    const { reader, clock } = segment.committed;
    clock.stop();
    if (broken !== undefined) {
      summary.outcome = 'error';
      summary.error = broken.code;
    } else if (assembler !== undefined && allFinished(state)) {
      const answer = assembler.result(summary.usage);
      if (answer !== undefined && cacheable) summary.answer = answer;
      if (answer !== undefined && assemble.keep) summary.whole = answer;
    }
    summary.ms = Date.now() - committed.startedAt;
    summary.segments = segmentUsages(segments);
    resolveDone(summary);
    // A whole answer leaves little or nothing of the vendor's body (its end marker, after the usage
    // the stream was finalised on): reading it to its end lets the runtime reuse the connection,
    // where cancelling costs a new one for the next request. A broken stream cancels at once.
    if (broken === undefined) ctx.waitUntil(reader.drain().finally(() => reader.cancel()));
    else reader.cancel();
  };

  /** Asks later targets to continue; true when one took over (reading goes on from its stream). */
  const rescued = async (broken: Broken): Promise<boolean> => {
    const { reader, clock } = segment.committed;
    reader.cancel();
    clock.stop();
    clock.abort();
    const next = await askRescuers(ctx, segment.index, sent, broken.failure);
    if (next === undefined) return false;
    if (ended) {
      next.committed.clock.stop();
      next.committed.clock.abort();
      return false;
    }
    summary.rescues.push({ from: segment.provider, error: broken.code, to: next.provider, model: next.model });
    segments.push({ index: next.index, provider: next.provider, pieces: 0 });
    summary.provider = next.provider;
    summary.malformed += next.committed.malformed;
    cacheable = false;
    segment = {
      committed: next.committed,
      index: next.index,
      provider: next.provider,
      seam: new Seam(summary.usage, pieces, next.trimmed),
    };
    state = { ...state, rescuable: rescuersOf(ctx.targets, next.index).length > 0 };
    startSegment();
    return true;
  };

  /** One upstream event as a step input; undefined for a malformed one (counted and skipped). */
  const decodeOne = (sse: SseEvent): Read | undefined => {
    const { clock, decode } = segment.committed;
    if (!state.grace) clock.touch('idle', idleMs());
    const parsed = sse.data === '[DONE]' ? undefined : parseJson(sse.data);
    const decodedEvents = decode(sse, parsed);
    if (decodedEvents === undefined) {
      summary.malformed++;
      return undefined;
    }
    const decoded: Decoded = { sse, parsed, events: decodedEvents };
    const events = eventsOf(decoded);
    return { input: { kind: 'events', events }, decoded, events };
  };
  /** The next event already received, without waiting (most events arrive several to a network read). */
  const readBuffered = (): Read | undefined => {
    const { reader, clock } = segment.committed;
    if (clock.timedOut !== undefined) return undefined;
    for (let sse = reader.take(); sse !== undefined; sse = reader.take()) {
      const read = decodeOne(sse);
      if (read !== undefined) return read;
    }
    return undefined;
  };
  /** Waits for the next upstream event as a step input. */
  const read = async (): Promise<Read> => {
    for (;;) {
      const { reader, clock } = segment.committed;
      let sse: Awaited<ReturnType<typeof reader.next>>;
      try {
        sse = await reader.next();
      } catch {
        sse = null;
      }
      if (clock.timedOut !== undefined) return { input: { kind: 'timeout', phase: clock.timedOut } };
      if (sse === null) return { input: { kind: 'cut' } };
      const decoded = decodeOne(sse);
      if (decoded !== undefined) return decoded;
    }
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (out.length > 0 && !allFinished(state)) return flush(controller);
        for (;;) {
          if (segment.committed.reader.buffered === 0) {
            const idle = step(state, { kind: 'drained' });
            state = idle.state;
            if (idle.action.do === 'finish') return end(controller);
            if (idle.action.do === 'arm-grace') segment.committed.clock.setPhase('idle', USAGE_GRACE_MS);
          }
          const { input, decoded, events } = readBuffered() ?? (await read());
          if (ended) return;
          const next = step(state, input);
          state = next.state;
          const action = next.action;
          if (action.do === 'forward' || (action.do === 'finish' && decoded !== undefined && events !== undefined)) {
            if (decoded !== undefined && events !== undefined) take(decoded, events);
            if (action.do === 'finish') return end(controller);
            if (segment.committed.reader.buffered === 0 && out.length > 0 && !allFinished(state)) return flush(controller);
            continue;
          }
          if (action.do === 'finish') return end(controller);
          if (action.do === 'rescue' || action.do === 'fail') {
            const broken = brokenBy(action.cause, ctx.secrets);
            if (action.do === 'rescue' && (await rescued(broken))) continue;
            if (ended) return;
            return end(controller, broken);
          }
        }
      },
      cancel() {
        if (ended) return;
        ended = true;
        const { clock } = segment.committed;
        clock.stop();
        clock.abort();
        summary.outcome = 'aborted';
        summary.ms = Date.now() - committed.startedAt;
        summary.segments = segmentUsages(segments);
        resolveDone(summary);
      },
    },
    { highWaterMark: 1 },
  );
  return { body, done };
}
