// Owns the reasoning items of the Responses wire: their summary, and an encrypted_content only the mock can issue and verify. Pure.

import { thinkingText } from './anthropic-thinking.ts';
import type { Answer } from './chat-reply.ts';
import { splitPieces, thirds } from './chat-reply.ts';
import type { ReasoningItem } from './responses-wire.ts';
import { sealerWith } from './sealed.ts';

/** The secret every mock instance shares, so content sealed by one verifies on any other (as thinking signatures do). */
const sealer = sealerWith('edge-llm-proxy mock provider reasoning secret v1');
const prefix = 'mockenc_';
const kind = 'encrypted_reasoning';

/**
 * The `encrypted_content` of a reasoning item hiding `hidden`: `mockenc_<base64(hidden)>.<mac>`,
 * opaque to clients and bound to exactly that reasoning (any edit breaks the mac), like
 * `redactThinking` in thinking-signature.ts. Deterministic and synchronous in workerd and Node.
 */
export function sealReasoning(hidden: string): string {
  return `${prefix}${sealer.seal(kind, hidden)}`;
}

/** Whether `encrypted` is an `encrypted_content` the mock issued (by any instance). */
export function verifyReasoning(encrypted: string): boolean {
  return encrypted.startsWith(prefix) && sealer.isSealed(kind, encrypted.slice(prefix.length));
}

/** What a request asked of reasoning: a summary (`reasoning.summary` set) and the encrypted content (`include`). */
export type ReasoningPlan = { summary: boolean; encrypted: boolean };

/** The reasoning item, the summary pieces it streams, and the reasoning tokens it costs. */
export type Reasoning = { item: ReasoningItem; pieces: string[]; tokens: number };

/**
 * The reasoning item that precedes an answer (id `id`): its reasoning is the same deterministic
 * text the Anthropic wire thinks (`thinkingText`), shown as one `summary_text` part only when a
 * summary was asked for (streamed in three pieces) and sealed in `encrypted_content` only when
 * `include` asked for it. Its words count as reasoning tokens either way.
 */
export function reasoningFor(answer: Answer, id: string, plan: ReasoningPlan): Reasoning {
  const text = thinkingText(answer);
  const item: ReasoningItem = {
    id,
    type: 'reasoning',
    ...(plan.encrypted && { encrypted_content: sealReasoning(text) }),
    summary: plan.summary ? [{ type: 'summary_text', text }] : [],
  };
  return { item, pieces: plan.summary ? thirds(text) : [], tokens: splitPieces(text).length };
}
