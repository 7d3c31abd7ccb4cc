// Owns the checks Anthropic applies to `messages` and their content blocks, in its error wording. Pure.

import { contentText, isRecord } from './chat-reply.ts';

/** A content block as sent: an object with a known `type`; other fields are checked per type. */
export type InboundBlock = Record<string, unknown> & { type: string };

/** One checked inbound message; `system` is a mid-conversation system message (never the first). */
export type InboundMessage = { role: 'user' | 'assistant' | 'system'; content: string | InboundBlock[] };

/**
 * The fields each block type requires, and what each must be: the client blocks the mock reads,
 * then the server-tool, MCP, search-result and context blocks Anthropic also accepts (beta ones
 * included), checked no further than their ids.
 */
const blockFields = {
  text: { text: 'string' },
  image: { source: 'object' },
  document: { source: 'object' },
  tool_use: { id: 'string', name: 'string', input: 'object' },
  tool_result: { tool_use_id: 'string' },
  thinking: { thinking: 'string', signature: 'string' },
  redacted_thinking: { data: 'string' },
  search_result: { source: 'string', title: 'string' },
  server_tool_use: { id: 'string', name: 'string' },
  web_search_tool_result: { tool_use_id: 'string' },
  web_fetch_tool_result: { tool_use_id: 'string' },
  code_execution_tool_result: { tool_use_id: 'string' },
  bash_code_execution_tool_result: { tool_use_id: 'string' },
  text_editor_code_execution_tool_result: { tool_use_id: 'string' },
  tool_search_tool_result: { tool_use_id: 'string' },
  advisor_tool_result: { tool_use_id: 'string' },
  mcp_tool_use: { id: 'string', name: 'string', server_name: 'string' },
  mcp_tool_result: { tool_use_id: 'string' },
  container_upload: { file_id: 'string' },
  compaction: {},
  tool_addition: {},
  tool_removal: {},
  mcp_tool_listing: {},
  fallback: {},
} as const satisfies Record<string, Record<string, 'string' | 'object'>>;

const blockTypes = Object.keys(blockFields);
const expectedTags = blockTypes.map((type) => `'${type}'`).join(', ');

function isBlockType(type: string): type is keyof typeof blockFields {
  return Object.hasOwn(blockFields, type);
}

function readBlock(block: unknown, at: string): InboundBlock | string {
  if (!isRecord(block)) return `${at}: Input should be a valid dictionary or object to extract fields from`;
  const { type } = block;
  if (type === undefined) return `${at}.type: Field required`;
  if (typeof type !== 'string' || !isBlockType(type)) {
    return `${at}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: ${expectedTags}`;
  }
  for (const [name, kind] of Object.entries(blockFields[type])) {
    const value = block[name];
    if (value === undefined) return `${at}.${type}.${name}: Field required`;
    const ok = kind === 'string' ? typeof value === 'string' : isRecord(value);
    if (!ok) return `${at}.${type}.${name}: Input should be a valid ${kind === 'string' ? 'string' : 'dictionary'}`;
  }
  if (type === 'text' && block.text === '') return 'messages: text content blocks must be non-empty';
  return { ...block, type };
}

function readContent(content: unknown, at: string): string | InboundBlock[] | { problem: string } {
  if (content === undefined) return { problem: `${at}.content: Field required` };
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return { problem: `${at}.content: Input should be a valid string or a list of content blocks` };
  const blocks: InboundBlock[] = [];
  for (const [j, block] of content.entries()) {
    const read = readBlock(block, `${at}.content.${j}`);
    if (typeof read === 'string') return { problem: read };
    blocks.push(read);
  }
  return blocks;
}

function readMessage(message: unknown, i: number, isLast: boolean): InboundMessage | string {
  const at = `messages.${i}`;
  if (!isRecord(message)) return `${at}: Input should be a valid dictionary or object to extract fields from`;
  const { role } = message;
  if (role === undefined) return `${at}.role: Field required`;
  if (i === 0 && role !== 'user' && role !== 'assistant') return `${at}.role: Input should be 'user' or 'assistant'`;
  if (role !== 'user' && role !== 'assistant' && role !== 'system') return `${at}.role: Input should be 'user', 'assistant' or 'system'`;
  const content = readContent(message.content, at);
  if (!(typeof content === 'string' || Array.isArray(content))) return content.problem;
  const notText = role === 'system' && typeof content !== 'string' ? content.findIndex((block) => block.type !== 'text') : -1;
  if (notText >= 0) return `${at}.content.${notText}: a system message may only hold text blocks`;
  if (content.length === 0 && !(isLast && role === 'assistant')) {
    return `${at}: all messages must have non-empty content except for the optional final assistant message`;
  }
  return { role, content };
}

/**
 * Checks `messages` as Anthropic does and returns them typed, or the first problem in Anthropic's
 * wording (`messages.0.role: Input should be 'user' or 'assistant'`). Roles need not alternate
 * (Anthropic merges consecutive turns). A `system` message (text only) is accepted anywhere but
 * first: Anthropic's mid-conversation system messages, which Claude Code sends. A final assistant message is a prefill: it may be empty
 * but must not end with whitespace, which Anthropic rejects.
 */
export function readMessages(messages: unknown): InboundMessage[] | string {
  if (messages === undefined) return 'messages: Field required';
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list';
  if (messages.length === 0) return 'messages: at least one message is required';
  const read: InboundMessage[] = [];
  for (const [i, message] of messages.entries()) {
    const one = readMessage(message, i, i === messages.length - 1);
    if (typeof one === 'string') return one;
    read.push(one);
  }
  const last = read.at(-1);
  if (last?.role === 'assistant' && /\s$/.test(contentText(last.content))) {
    return 'messages: final assistant content cannot end with trailing whitespace';
  }
  return read;
}
