// Owns reading a Responses request's `input`: a string or a list of items, each checked as OpenAI checks it. Pure.

import { isRecord } from './chat-reply.ts';
import type { RequestProblem } from './responses-errors.ts';
import { invalidType, invalidValue, isProblem, missing } from './responses-errors.ts';

/** One input item, its `type` filled in (`message` when it was left out beside a `role`, as OpenAI infers). */
export type InputItem = Record<string, unknown> & { type: string };

/** The input item types the Responses API accepts, in the order its error lists them. */
export const inputItemTypes = [
  'apply_patch_call',
  'apply_patch_call_output',
  'code_interpreter_call',
  'compaction',
  'computer_call',
  'computer_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'file_search_call',
  'function_call',
  'function_call_output',
  'image_generation_call',
  'item_reference',
  'local_shell_call',
  'local_shell_call_output',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'mcp_list_tools',
  'message',
  'reasoning',
  'shell_call',
  'shell_call_output',
  'web_search_call',
] as const;

const roles = ['assistant', 'system', 'developer', 'user'] as const;

/** The first of `fields` that is not a string, reported as missing (absent) or of the wrong type. */
function strings(item: Record<string, unknown>, at: string, fields: readonly string[]): RequestProblem | undefined {
  for (const name of fields) {
    const value = item[name];
    if (value === undefined || value === null) return missing(`${at}.${name}`);
    if (typeof value !== 'string') return invalidType(`${at}.${name}`, 'a string', value);
  }
  return undefined;
}

function checkMessage(item: Record<string, unknown>, at: string): RequestProblem | undefined {
  const { role, content } = item;
  if (role === undefined) return missing(`${at}.role`);
  if (!roles.some((known) => known === role)) return invalidValue(`${at}.role`, role, roles);
  if (content === undefined) return missing(`${at}.content`);
  if (typeof content === 'string' || Array.isArray(content)) return undefined;
  return invalidType(`${at}.content`, 'one of a string or an array of input content items', content);
}

function checkOutput(item: Record<string, unknown>, at: string): RequestProblem | undefined {
  const problem = strings(item, at, ['call_id']);
  if (problem !== undefined) return problem;
  const { output } = item;
  if (output === undefined) return missing(`${at}.output`);
  return typeof output === 'string' || Array.isArray(output) ? undefined : invalidType(`${at}.output`, 'a string or an array', output);
}

/** The problem with item `i` for its type; types the mock only passes along are accepted as they are. */
function checkItem(item: InputItem, at: string): RequestProblem | undefined {
  switch (item.type) {
    case 'message':
      return checkMessage(item, at);
    case 'function_call':
      return strings(item, at, ['call_id', 'name', 'arguments']);
    case 'function_call_output':
      return checkOutput(item, at);
    case 'reasoning':
      return Array.isArray(item.summary) ? undefined : missing(`${at}.summary`);
    case 'item_reference':
      return strings(item, at, ['id']);
    default:
      return undefined;
  }
}

function readItem(value: unknown, i: number): InputItem | RequestProblem {
  const at = `input[${i}]`;
  if (!isRecord(value)) return invalidType(at, 'an input item object', value);
  const type = value.type ?? (value.role === undefined ? undefined : 'message');
  if (typeof type !== 'string' || !inputItemTypes.some((known) => known === type)) return invalidValue(at, type ?? '', inputItemTypes);
  const item: InputItem = { ...value, type };
  return checkItem(item, at) ?? item;
}

/**
 * The request's input as items: a string is one user message; a list is checked item by item
 * (an unknown `type` is OpenAI's `invalid_value` naming `input[i]`; a message needs a known
 * `role` and a string or list `content`; a `function_call` its `call_id`, `name` and `arguments`;
 * a `function_call_output` its `call_id` and `output`; a `reasoning` item its `summary`). No
 * input at all is an empty list (a continuation of `previous_response_id` may send none).
 */
export function readInput(input: unknown): InputItem[] | RequestProblem {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input)) return invalidType('input', 'one of a string or an array of input items', input);
  const items: InputItem[] = [];
  for (const [i, value] of input.entries()) {
    const item = readItem(value, i);
    if (isProblem(item)) return item;
    items.push(item);
  }
  return items;
}
