// Owns the Responses event stream of an answer: each item's events, their numbering and the terminal event; timing and faults are played by stream-script.ts.

import type { ResponsesAnswer } from './responses-answer.ts';
import type { OutputItem, ResponseMeta, ResponseState } from './responses-wire.ts';
import { defaultFailure, numberEvents, responseObject, responsesEvent, responsesMalformed } from './responses-wire.ts';
import type { Scenario } from './scenario.ts';
import type { StreamPlan } from './stream-script.ts';
import { playStream } from './stream-script.ts';

/** The scenario fields a Responses stream reads: timing and faults, and the `code`/`message` of a scripted `response.failed`. */
export type ResponsesStreamPlan = StreamPlan & Partial<Pick<Scenario, 'code' | 'message'>>;

/** How one stream is sent: with OpenAI's `obfuscation` padding on deltas (unless the request opted out), and what to do as it completes. */
export type StreamOptions = { obfuscation: boolean; onFinished: () => void };

/** One output item's events: those opening it, one per streamed piece, and those closing it. */
type ItemEvents = { opening: string[]; deltas: string[]; closing: string[] };

const padding = 'qZ3xW7kP0rT5vN9b';

/** Stream obfuscation as OpenAI adds it to delta events: filler that evens out payload sizes (1 to 16 characters, deterministic here). */
function obfuscation(delta: string): string {
  return padding.slice(delta.length % padding.length);
}

function itemEvents(item: OutputItem, index: number, pieces: readonly string[], obfuscate: boolean): ItemEvents {
  const pad = (delta: string) => (obfuscate ? { obfuscation: obfuscation(delta) } : {});
  const added = responsesEvent('response.output_item.added', { output_index: index, item: openedItem(item) });
  const done = responsesEvent('response.output_item.done', { output_index: index, item });
  const at = { item_id: item.id, output_index: index };
  switch (item.type) {
    case 'message': {
      const part = item.content[0] ?? { type: 'output_text', annotations: [], logprobs: [], text: '' };
      const inPart = { ...at, content_index: 0 };
      return {
        opening: [added, responsesEvent('response.content_part.added', { ...inPart, part: { ...part, text: '' } })],
        deltas: pieces.map((delta) => responsesEvent('response.output_text.delta', { ...inPart, delta, logprobs: [], ...pad(delta) })),
        closing: [
          responsesEvent('response.output_text.done', { ...inPart, text: part.text, logprobs: [] }),
          responsesEvent('response.content_part.done', { ...inPart, part }),
          done,
        ],
      };
    }
    case 'function_call':
      return {
        opening: [added],
        deltas: pieces.map((delta) => responsesEvent('response.function_call_arguments.delta', { ...at, delta, ...pad(delta) })),
        closing: [responsesEvent('response.function_call_arguments.done', { ...at, arguments: item.arguments }), done],
      };
    case 'reasoning': {
      const [part] = item.summary;
      if (part === undefined) return { opening: [added], deltas: [], closing: [done] };
      const inSummary = { ...at, summary_index: 0 };
      return {
        opening: [added, responsesEvent('response.reasoning_summary_part.added', { ...inSummary, part: { ...part, text: '' } })],
        deltas: pieces.map((delta) => responsesEvent('response.reasoning_summary_text.delta', { ...inSummary, delta, ...pad(delta) })),
        closing: [
          responsesEvent('response.reasoning_summary_text.done', { ...inSummary, text: part.text }),
          responsesEvent('response.reasoning_summary_part.done', { ...inSummary, part }),
          done,
        ],
      };
    }
  }
}

/** An item as `response.output_item.added` announces it: in progress, with no content, summary or arguments yet. */
function openedItem(item: OutputItem): OutputItem {
  switch (item.type) {
    case 'message':
      return { ...item, status: 'in_progress', content: [] };
    case 'function_call':
      return { ...item, status: 'in_progress', arguments: '' };
    case 'reasoning':
      return { id: item.id, type: 'reasoning', summary: [] };
  }
}

/** The content steps: each delta event carries the framing (previous item's closing, this item's opening) sent just before it. */
function steps(answer: ResponsesAnswer, obfuscate: boolean): { deltas: string[]; pending: string[] } {
  const deltas: string[] = [];
  let pending: string[] = [];
  for (const [index, item] of answer.state.output.entries()) {
    const events = itemEvents(item, index, answer.pieces[index] ?? [], obfuscate);
    pending.push(...events.opening);
    for (const delta of events.deltas) {
      deltas.push([...pending, delta].join(''));
      pending = [];
    }
    pending.push(...events.closing);
  }
  return { deltas, pending };
}

/** Numbers the events as they are sent (from 0) and calls `onFinished` just before the terminal event goes out. */
async function* numbered(events: AsyncGenerator<string>, terminal: string, onFinished: () => void): AsyncGenerator<string> {
  let sequence = 0;
  const next = () => sequence++;
  for await (const chunk of events) {
    if (chunk === terminal) onFinished();
    yield numberEvents(chunk, next);
  }
}

/**
 * The SSE events of one streamed Responses answer: `response.created` and `response.in_progress`
 * (status in_progress, no output, null usage), then per output item `response.output_item.added`,
 * its part or summary part added, its deltas (`reasoning_summary_text`, `output_text`,
 * `function_call_arguments`), their `.done` events and `response.output_item.done`, and last
 * `response.completed` (or `response.incomplete`) carrying the whole Response. Every event is
 * `event: <type>` + `data: {"type", "sequence_number", …}`, numbered from 0 in the order sent; no
 * `[DONE]`. Played with the scenario's delays and faults (`playStream`): every delta counts as a
 * content event and an item's opening rides with its first delta, so `error-event-after=0` is a
 * vendor failing right after the preamble. The in-band error is `response.failed` carrying the
 * Response with status failed and `error: {code, message}` (`code=`/`message=` override);
 * `no-done` withholds the terminal event and hangs. Delta events carry `obfuscation` unless
 * `options.obfuscation` is false; `options.onFinished` runs as the terminal event is sent.
 */
export function responsesEvents(
  meta: ResponseMeta,
  answer: ResponsesAnswer,
  plan: ResponsesStreamPlan,
  signal: AbortSignal,
  options: StreamOptions,
): AsyncGenerator<string> {
  const lifecycle = (type: string, state: ResponseState) => responsesEvent(type, { response: responseObject(meta, state) });
  const started: ResponseState = { status: 'in_progress', output: [], usage: null };
  const failure = { code: plan.code ?? defaultFailure.code, message: plan.message ?? defaultFailure.message };
  const { deltas, pending } = steps(answer, options.obfuscation);
  const finished = answer.state.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  const script = {
    opening: [lifecycle('response.created', started), lifecycle('response.in_progress', started)],
    deltas,
    closing: pending,
    done: lifecycle(finished, answer.state),
    errorEvent: lifecycle('response.failed', { status: 'failed', output: [], usage: null, error: failure }),
    malformed: responsesMalformed,
  };
  return numbered(playStream(script, plan, signal), script.done, options.onFinished);
}
