// What one target is sent and how its answer is read back into the internal (OpenAI) shape, per protocol.
import type { ResolvedTarget } from './config/load.ts';
import type { Protocol } from './config/presets.ts';
import { anthropicEventTranslator, type EventTranslator } from './protocols/anthropic-events-in.ts';
import { messageToCompletion } from './protocols/anthropic-message.ts';
import type { CompletionInfo } from './protocols/openai.ts';

/** The Messages API version sent to Anthropic-protocol targets (a provider's `headers` may override it). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** One request for one target, in the target's protocol. */
export interface TargetRequest {
  protocol: Protocol;
  /** Path under the provider's base URL. */
  path: string;
  /** The serialised body. */
  body: string;
  /** Reads a parsed 2xx body already in the OpenAI shape: what makes it a success. */
  readSuccess: (value: unknown) => CompletionInfo | undefined;
  /** Converts a parsed 2xx body to the OpenAI shape; absent when the target speaks OpenAI. */
  toOpenAI?: (value: unknown, now: number) => unknown;
  /** A fresh translator of the target's stream events into OpenAI chunks; absent for OpenAI targets. */
  translator?: (now: number) => EventTranslator;
  /** Replaces the provider's base URL (DeepSeek serves prefix continuations at `/beta`). */
  baseUrl?: string;
  /** A continuation whose prefix lost its trailing whitespace (Anthropic refuses it). */
  trimmed?: boolean;
}

/** A chat request for `target` in its protocol: `openai` (Chat Completions) or `anthropic` (Messages). */
export function chatTargetRequest(target: ResolvedTarget, body: string, readSuccess: TargetRequest['readSuccess']): TargetRequest {
  if (target.provider.protocol === 'anthropic') {
    return {
      protocol: 'anthropic',
      path: '/messages',
      body,
      readSuccess,
      toOpenAI: messageToCompletion,
      translator: anthropicEventTranslator,
    };
  }
  return { protocol: 'openai', path: '/chat/completions', body, readSuccess };
}

/** Protocol headers for a target: its auth style and, for Anthropic, the API version. */
export function protocolHeaders(protocol: Protocol, key: string | undefined): Record<string, string> {
  if (protocol === 'anthropic') {
    const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
    if (key !== undefined) headers['x-api-key'] = key;
    return headers;
  }
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}
