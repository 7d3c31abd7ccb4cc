// Owns Anthropic's checks on thinking blocks sent back in a conversation: signatures, and the tool-loop rule. Pure.

import type { InboundBlock, InboundMessage } from './anthropic-content.ts';
import { verifyRedacted, verifyThinking } from './thinking-signature.ts';

const toolLoopRule =
  'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of ' +
  '`tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this ' +
  'requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

function blocks(message: InboundMessage): InboundBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/** The first thinking or redacted_thinking block of an assistant message that the mock did not issue. */
function forgedBlock(message: InboundMessage, i: number): string | undefined {
  for (const [j, block] of blocks(message).entries()) {
    const { type, thinking, signature, data } = block;
    if (type === 'thinking' && !(typeof thinking === 'string' && typeof signature === 'string' && verifyThinking(thinking, signature))) {
      return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
    }
    if (type === 'redacted_thinking' && !(typeof data === 'string' && verifyRedacted(data))) {
      return `messages.${i}.content.${j}: Invalid \`data\` in \`redacted_thinking\` block`;
    }
  }
  return undefined;
}

/**
 * The index of the assistant message whose `tool_use` the conversation's final user turn answers
 * with `tool_result` blocks, if the conversation ends in such a tool loop. Consecutive user (and
 * system) messages at the end count as one turn, as Anthropic merges them.
 */
function toolLoopAssistant(messages: readonly InboundMessage[]): number | undefined {
  let i = messages.length - 1;
  let answered = false;
  for (; i >= 0 && messages[i]?.role !== 'assistant'; i--) {
    const message = messages[i];
    if (message?.role === 'user' && blocks(message).some((block) => block.type === 'tool_result')) answered = true;
  }
  const assistant = messages[i];
  if (i === messages.length - 1 || !answered || assistant === undefined) return undefined;
  return blocks(assistant).some((block) => block.type === 'tool_use') ? i : undefined;
}

/**
 * Checks the thinking blocks a conversation sends back, as Anthropic does, and returns the first
 * problem in its wording (answered as a 400 `invalid_request_error`): any `thinking` block whose
 * `signature` the mock did not issue for exactly its text, or `redacted_thinking` whose `data` the
 * mock did not issue; and, with thinking on, a conversation ending in a tool loop whose assistant
 * message does not start with a thinking or redacted_thinking block.
 */
export function checkThinkingHistory(messages: readonly InboundMessage[], thinkingOn: boolean): string | undefined {
  for (const [i, message] of messages.entries()) {
    const forged = message.role === 'assistant' ? forgedBlock(message, i) : undefined;
    if (forged !== undefined) return forged;
  }
  if (!thinkingOn) return undefined;
  const at = toolLoopAssistant(messages);
  const assistant = at === undefined ? undefined : messages[at];
  if (assistant === undefined) return undefined;
  const first = blocks(assistant)[0]?.type ?? 'text';
  if (first === 'thinking' || first === 'redacted_thinking') return undefined;
  return `messages.${at}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. ${toolLoopRule}`;
}
