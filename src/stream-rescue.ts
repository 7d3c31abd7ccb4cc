// Stream rescue (SPEC "Stream rescue"): what a continuation is, and how its chunks join the stream already sent.
import type { UpstreamFailure } from './fallback.ts';
import { isObject, type Usage } from './protocols/openai.ts';
import type { CommittedStream } from './upstream.ts';

type Json = Record<string, unknown>;

/** A later target that took over a broken stream: its stream past its own first token. */
export interface Rescued {
  committed: CommittedStream;
  provider: string;
  model: string;
  idleTimeoutMs: number;
  attemptTimeoutMs: number;
  /** Trailing whitespace was cut from the prefix (Anthropic refuses it), so the seam drops leading whitespace. */
  trimmed: boolean;
  /** Asks the targets after this one, should the continuation break too. */
  rescue: Rescuer | undefined;
}

/**
 * Asks the next `prefill` targets, in order, to continue `text` (exactly what the caller already
 * has). Undefined when none can: the caller then gets the original failure in-band.
 */
export type Rescuer = (text: string, failure: UpstreamFailure) => Promise<Rescued | undefined>;

/** One rescue, for the log line and the breakers. */
export interface RescueRecord {
  /** Provider whose stream broke, and how. */
  from: string;
  error: string;
  /** Provider and model that continued it. */
  to: string;
  model: string;
}

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
 * read the same prompt minus the prefix, and wrote the prefix (about one token per content chunk).
 */
export function estimatedBrokenUsage(continuation: Usage, pieces: number): Usage {
  const prompt = Math.max(0, continuation.prompt_tokens - pieces);
  return { prompt_tokens: prompt, completion_tokens: pieces, total_tokens: prompt + pieces };
}

/**
 * Rewrites a continuation's chunks so they continue the caller's stream: the original id and
 * created time, the continuing model, no second role, no reasoning (the caller already read
 * the first vendor's), usage that adds the broken attempt's. Returns false for a chunk left empty.
 */
export class Seam {
  private readonly id: unknown;
  private readonly created: unknown;
  private readonly before: Usage | undefined;
  private readonly pieces: number;
  private trimming: boolean;

  constructor(first: { id: unknown; created: unknown }, before: Usage | undefined, pieces: number, trimmed: boolean) {
    this.id = first.id;
    this.created = first.created;
    this.before = before;
    this.pieces = pieces;
    this.trimming = trimmed;
  }

  rewrite(chunk: Json): boolean {
    chunk.id = this.id;
    chunk.created = this.created;
    const usage = chunk.usage;
    if (isObject(usage) && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
      const own: Usage = {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : usage.prompt_tokens + usage.completion_tokens,
      };
      chunk.usage = addUsage(this.before ?? estimatedBrokenUsage(own, this.pieces), own);
    }
    if (!Array.isArray(chunk.choices)) return true;
    let keep = chunk.choices.length === 0;
    for (const choice of chunk.choices) {
      if (!isObject(choice)) continue;
      const delta = isObject(choice.delta) ? choice.delta : {};
      delete delta.role;
      delete delta.reasoning_content;
      delete delta.reasoning;
      if (this.trimming && typeof delta.content === 'string') {
        delta.content = delta.content.replace(/^\s+/, '');
        if (delta.content !== '') this.trimming = false;
      }
      if (delta.content === '') delete delta.content;
      if (Object.keys(delta).some((k) => delta[k] !== null && delta[k] !== undefined) || typeof choice.finish_reason === 'string')
        keep = true;
    }
    return keep || chunk.usage !== undefined;
  }
}
