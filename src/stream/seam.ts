// Where a rescued stream joins the one already sent: the continuation's events made to continue it. Pure per event.
import type { ModelEvent, Usage } from '../protocols/model.ts';

/** Sum of two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

/**
 * The usage of a broken attempt that never reported one, estimated from its continuation: it
 * read the same prompt minus the prefix, and wrote the prefix (about one token per content piece).
 */
export function estimatedBrokenUsage(continuation: Usage, pieces: number): Usage {
  const prompt = Math.max(0, continuation.prompt_tokens - pieces);
  return { prompt_tokens: prompt, completion_tokens: pieces, total_tokens: prompt + pieces };
}

/**
 * Rewrites a continuation's events so they continue the caller's stream: its start only names the
 * model that now answers (the caller's stream already began), reasoning is dropped (the caller
 * read the first vendor's), leading whitespace is dropped when the prefix lost its trailing
 * whitespace (`trimmed`), and usage adds the broken attempt's (`before`, else estimated from the
 * `pieces` of text it sent). Undefined for an event left with nothing to say.
 */
export class Seam {
  private trimming: boolean;

  constructor(
    private readonly before: Usage | undefined,
    private readonly pieces: number,
    trimmed: boolean,
  ) {
    this.trimming = trimmed;
  }

  rewrite(event: ModelEvent): ModelEvent | undefined {
    switch (event.type) {
      case 'start':
        return event.model === undefined ? undefined : { type: 'start', model: event.model };
      case 'reasoning':
      case 'reasoning-signature':
      case 'redacted-reasoning':
        return undefined;
      case 'text': {
        if (!this.trimming) return event;
        const text = event.text.replace(/^\s+/, '');
        if (text === '') return undefined;
        this.trimming = false;
        return { ...event, text };
      }
      case 'usage':
        return { type: 'usage', usage: addUsage(this.before ?? estimatedBrokenUsage(event.usage, this.pieces), event.usage) };
      default:
        return event;
    }
  }
}

/** One vendor's part of a stream: the first, or a rescuer's; its own usage report and the text pieces it sent. */
export interface Segment {
  index: number;
  provider: string;
  usage?: Usage;
  pieces: number;
}

/**
 * The segments with a usage each where it can be known: a broken segment that never reported usage
 * is estimated from the next one's (see `estimatedBrokenUsage`). So a rescued answer is priced per
 * target that produced its tokens.
 */
export function segmentUsages(segments: readonly Segment[]): Segment[] {
  const out = segments.map((s) => ({ ...s }));
  for (let i = out.length - 2; i >= 0; i--) {
    const segment = out[i] as Segment;
    const next = out[i + 1]?.usage;
    if (segment.usage === undefined && next !== undefined) segment.usage = estimatedBrokenUsage(next, segment.pieces);
  }
  return out;
}
