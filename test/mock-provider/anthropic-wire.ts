// Owns the Anthropic Messages wire shapes the mock sends: messages, content blocks and named SSE events.

/** Token counts as Anthropic reports them on a message (the mock never caches, so cache counts are 0). */
export type AnthropicUsage = {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
};

/** A citation of a plain-text document, as Anthropic returns it (`char_location`). */
export type CharLocationCitation = {
  type: 'char_location';
  cited_text: string;
  document_index: number;
  document_title: string | null;
  start_char_index: number;
  end_char_index: number;
  file_id: null;
};

export type TextBlock = { type: 'text'; text: string; citations?: CharLocationCitation[] };
export type ToolUseBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string };
export type RedactedThinkingBlock = { type: 'redacted_thinking'; data: string };
/** A content block of an assistant message. */
export type ContentBlock = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlock;

/** One `content_block_delta` payload. */
export type BlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: CharLocationCitation };

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

/** What every event of one message shares. */
export type MessageMeta = { id: string; model: string };

/** Usage with the cache counts filled in. */
export function anthropicUsage(inputTokens: number, outputTokens: number): AnthropicUsage {
  return { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };
}

/** A `message` object: the non-streaming answer, and (with empty content) the body of `message_start`. */
export function anthropicMessage(
  meta: MessageMeta,
  content: ContentBlock[],
  stopReason: StopReason | null,
  stopSequence: string | null,
  usage: AnthropicUsage,
) {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage,
  };
}

/** One named server-sent event; Anthropic repeats the event name as the data's `type`. */
export function sseEvent(name: string, data: Record<string, unknown>): string {
  return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
}

/** `message_start`: the message with empty content, its input tokens and one output token. */
export function messageStart(meta: MessageMeta, inputTokens: number): string {
  return sseEvent('message_start', { message: anthropicMessage(meta, [], null, null, anthropicUsage(inputTokens, 1)) });
}

/** `content_block_start`: the block as it opens (empty text, thinking or input; a redacted_thinking block whole). */
export function blockStart(index: number, block: ContentBlock): string {
  return sseEvent('content_block_start', { index, content_block: block });
}

/** The keep-alive event Anthropic sends early in every stream. */
export const ping = sseEvent('ping', {});

/** `content_block_delta` carrying one text or partial-JSON piece. */
export function blockDelta(index: number, delta: BlockDelta): string {
  return sseEvent('content_block_delta', { index, delta });
}

/** `content_block_stop`. */
export function blockStop(index: number): string {
  return sseEvent('content_block_stop', { index });
}

/** `message_delta`: the stop reason and the final output token count. */
export function messageDelta(stopReason: StopReason, stopSequence: string | null, outputTokens: number): string {
  return sseEvent('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: stopSequence },
    usage: { output_tokens: outputTokens },
  });
}

/** `message_stop`: the last event of a whole stream. */
export const messageStop = sseEvent('message_stop', {});

/** The in-band error Anthropic sends when a started stream fails (`error-event-after`). */
export const streamOverloaded = sseEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });

/** A deliberately broken event (`malformed-at`): a content delta whose JSON is cut off. */
export const anthropicMalformed = 'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {\n\n';

/** The body `bad-json` sends: a message cut off mid-object. */
export function truncatedMessage(id: string): string {
  return `{"id":"${id}","type":"message","role":"assistant","content":[{"type":"text","text":`;
}
