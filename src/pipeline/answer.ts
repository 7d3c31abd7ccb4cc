// What the pipeline answers: a body in the caller's protocol, where it came from, and a promise of how it ended.
import type { CacheState } from '../cache/store.ts';
import type { Pricing } from '../config/schema.ts';
import type { AttemptSummary } from '../errors.ts';
import type { Json } from '../protocols/json.ts';
import type { Usage } from '../protocols/model.ts';
import type { StreamSummary } from '../stream/relay.ts';

/** Where an answer came from: `x-proxy-source`. */
export type Source = 'provider' | 'cache' | 'stale-cache' | 'degraded';

/** How an answer ended, known at once for a whole answer and at its end for a stream. */
export interface AnswerEnd {
  usage: Usage | undefined;
  /** How a provider's stream ended (who ended it, rescues, its assembled answer); set for streams. */
  stream?: StreamSummary;
  /** The whole answer in the caller's protocol when it may be cached (complete, unfiltered, not rescued). */
  store?: string;
  /**
   * The whole answer in the caller's protocol as the caller got it, for a stored conversation
   * (`RequestContext.keep`): its JSON text for a whole answer, the assembled object for a stream.
   */
  whole?: string | Json;
}

/** One answer of the pipeline, ready to become the HTTP response. */
export interface Answer {
  source: Source;
  cache: CacheState;
  /** Seconds since a cached answer was stored. */
  ageSeconds?: number;
  /** Who answered; absent for degraded replies. */
  provider?: string;
  /** The position of the target that answered in the alias's list (a provider answer of this request's own). */
  targetIndex?: number;
  model?: string;
  attempts: AttemptSummary[];
  /** Upstream calls made (skipped targets are not calls). */
  attemptCount: number;
  upstreamMs: number;
  /** The answering target's pricing (USD per million tokens), for the cost on the log line. */
  pricing: Pricing | undefined;
  /** How the answering target was asked: as the caller wrote it, or translated. */
  mode?: 'passthrough' | 'translate';
  /** Of a translated request: what the caller sent that the answering target did not get. */
  dropped?: string[];
  body: { kind: 'json'; text: string } | { kind: 'stream'; stream: ReadableStream<Uint8Array> };
  done: Promise<AnswerEnd>;
}
