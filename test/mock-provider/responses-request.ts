// Owns reading a Responses API request: OpenAI's checks on the top-level fields and tools, and the settings the answer needs. Pure.

import { contentText, isRecord } from './chat-reply.ts';
import type { RequestProblem } from './responses-errors.ts';
import { belowMinimum, invalidType, isProblem, missing } from './responses-errors.ts';
import type { InputItem } from './responses-input.ts';
import { readInput } from './responses-input.ts';
import type { ReasoningPlan } from './responses-reasoning.ts';

/** A function the mock may call: its name, and the namespace group it was offered in, if any. */
export type FunctionTool = { name: string; namespace?: string };

/** A checked Responses request: what the answer, the store and the stream need. */
export type ResponsesRequest = {
  /** The body as sent, for the settings a Response echoes. */
  body: Record<string, unknown>;
  model: string;
  items: InputItem[];
  /** The `instructions` text (`''` when none); it counts as input but is never carried to a continuation. */
  instructions: string;
  stream: boolean;
  /** `store` (default true): keep the Response so `previous_response_id` can name it. */
  store: boolean;
  previousResponseId?: string;
  /** The functions the mock may call, after `tool_choice`; the first is the default call. */
  callable: FunctionTool[];
  /** Present when the request turned reasoning on (`reasoning` set, `effort` not `none`). */
  reasoning?: ReasoningPlan;
  maxOutputTokens?: number;
  /** Whether streamed deltas carry `obfuscation` (default true; `stream_options.include_obfuscation: false` turns it off). */
  obfuscation: boolean;
};

/** OpenAI refuses `max_output_tokens` below this. */
const minOutputTokens = 16;

/** The function tools of `tools`, those inside `namespace` groups carrying the group's name; other tool types are accepted as they are. */
function functionTools(tools: unknown): FunctionTool[] | RequestProblem {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) return invalidType('tools', 'an array', tools);
  const found: FunctionTool[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool)) return invalidType(`tools[${i}]`, 'an object', tool);
    if (typeof tool.type !== 'string') return missing(`tools[${i}].type`);
    if (tool.type !== 'function' && tool.type !== 'namespace') continue;
    if (typeof tool.name !== 'string') return missing(`tools[${i}].name`);
    if (tool.type === 'function') {
      found.push({ name: tool.name });
      continue;
    }
    if (!Array.isArray(tool.tools)) return missing(`tools[${i}].tools`);
    for (const [j, inner] of tool.tools.entries()) {
      if (!isRecord(inner) || inner.type !== 'function') continue;
      if (typeof inner.name !== 'string') return missing(`tools[${i}].tools[${j}].name`);
      found.push({ name: inner.name, namespace: tool.name });
    }
  }
  return found;
}

/** The functions `tool_choice` leaves callable: none for `none`, the named one for a forced function, the listed ones for `allowed_tools`, else all. */
function callableTools(tools: FunctionTool[], choice: unknown): FunctionTool[] {
  if (choice === 'none') return [];
  if (!isRecord(choice)) return tools;
  if (choice.type === 'function') return tools.filter((tool) => tool.name === choice.name);
  if (choice.type !== 'allowed_tools' || !Array.isArray(choice.tools)) return tools;
  const allowed = choice.tools.map((entry: unknown) => (isRecord(entry) ? entry.name : undefined));
  return tools.filter((tool) => allowed.includes(tool.name));
}

function readReasoning(reasoning: unknown, include: unknown): ReasoningPlan | undefined | RequestProblem {
  if (include !== undefined && include !== null && !(Array.isArray(include) && include.every((entry) => typeof entry === 'string'))) {
    return invalidType('include', 'an array of strings', include);
  }
  if (reasoning === undefined || reasoning === null) return undefined;
  if (!isRecord(reasoning)) return invalidType('reasoning', 'an object', reasoning);
  if (reasoning.effort === 'none') return undefined;
  const summary = reasoning.summary !== undefined && reasoning.summary !== null && reasoning.summary !== 'none';
  return { summary, encrypted: Array.isArray(include) && include.includes('reasoning.encrypted_content') };
}

/** The first scalar field OpenAI would refuse, in its wording. */
function checkScalars(body: Record<string, unknown>): RequestProblem | undefined {
  const { model, stream, store, previous_response_id: previous, max_output_tokens: limit } = body;
  if (model === undefined || model === null || model === '') return missing('model');
  if (typeof model !== 'string') return invalidType('model', 'a string', model);
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') return invalidType('stream', 'a boolean', stream);
  if (store !== undefined && store !== null && typeof store !== 'boolean') return invalidType('store', 'a boolean', store);
  if (previous !== undefined && previous !== null && typeof previous !== 'string') {
    return invalidType('previous_response_id', 'a string', previous);
  }
  if (limit === undefined || limit === null) return undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit)) return invalidType('max_output_tokens', 'an integer', limit);
  return limit < minOutputTokens ? belowMinimum('max_output_tokens', minOutputTokens, limit) : undefined;
}

/** `instructions` as text: a string, or the text of a list of message items. */
function instructionsText(instructions: unknown): string {
  if (typeof instructions === 'string') return instructions;
  if (!Array.isArray(instructions)) return '';
  return instructions.map((item: unknown) => (isRecord(item) ? contentText(item.content) : '')).join('\n');
}

/**
 * Checks a parsed body as OpenAI's `POST /v1/responses` does for what a gateway test needs (a
 * `model`, `input` as a string or known items, well-formed tools, scalar types, `max_output_tokens`
 * of at least 16) and reads what the answer needs. Every tool type is accepted (`function`,
 * `namespace` groups of functions, `custom`, `web_search` and the other built-ins); only functions
 * can be called. Fields it does not read are accepted and echoed. Returns the first problem,
 * answered as a 400 `invalid_request_error` with its `param` and `code`.
 */
export function readResponsesRequest(body: unknown): ResponsesRequest | RequestProblem {
  if (!isRecord(body)) return invalidType('body', 'an object', body);
  const scalar = checkScalars(body);
  if (scalar !== undefined) return scalar;
  const items = readInput(body.input);
  if (isProblem(items)) return items;
  const tools = functionTools(body.tools);
  if (isProblem(tools)) return tools;
  const reasoning = readReasoning(body.reasoning, body.include);
  if (reasoning !== undefined && isProblem(reasoning)) return reasoning;
  const previous = body.previous_response_id;
  return {
    body,
    model: String(body.model),
    items,
    instructions: instructionsText(body.instructions),
    stream: body.stream === true,
    store: body.store !== false,
    previousResponseId: typeof previous === 'string' ? previous : undefined,
    callable: callableTools(tools, body.tool_choice),
    reasoning,
    maxOutputTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined,
    obfuscation: !(isRecord(body.stream_options) && body.stream_options.include_obfuscation === false),
  };
}
