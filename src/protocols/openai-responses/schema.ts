// Wire shapes of OpenAI Responses requests, checked at the inbound edge: strict on what the proxy reads, open to the rest.
import * as z from 'zod';
import { tagged } from '../tagged.ts';

const json = z.record(z.string(), z.unknown());

/**
 * A string checked by `text`, or anything else checked by `other`. Unlike `z.union`, whose failure
 * names only the field, a bad item is reported at its own path (`input.3.call_id`).
 */
function stringOr<S extends z.ZodType<string>, T extends z.ZodType>(text: S, other: T) {
  return z.unknown().transform((value, ctx): z.output<S> | z.output<T> => {
    const result = (typeof value === 'string' ? text : other).safeParse(value);
    if (result.success) return result.data as z.output<S> | z.output<T>;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, input: value });
    return z.NEVER;
  });
}

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z
  .looseObject({
    type: z.literal('input_image'),
    image_url: z.string().min(1).nullish(),
    file_id: z.string().min(1).nullish(),
    detail: z.string().nullish(),
  })
  .refine((part) => part.image_url != null || part.file_id != null, { message: 'needs an image_url or a file_id', path: ['image_url'] });
const inputFile = z
  .looseObject({
    type: z.literal('input_file'),
    file_id: z.string().min(1).nullish(),
    file_data: z.string().min(1).nullish(),
    file_url: z.string().min(1).nullish(),
    filename: z.string().nullish(),
  })
  .refine((part) => part.file_id != null || part.file_data != null || part.file_url != null, {
    message: 'needs a file_id, file_data or file_url',
    path: ['file_data'],
  });

const part = tagged('type', { input_text: inputText, output_text: outputText, refusal, input_image: inputImage, input_file: inputFile });
export type ResponsesPart = z.output<typeof part>;

const content = stringOr(z.string(), z.array(part));

/** A `message` item, or the easy form without `type` (`{role, content}`). */
const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content,
});
const callName = { call_id: z.string().min(1), name: z.string().min(1), namespace: z.string().nullish() };
const functionCall = z.looseObject({ type: z.literal('function_call'), ...callName, arguments: z.string() });
const customToolCall = z.looseObject({ type: z.literal('custom_tool_call'), ...callName, input: z.string() });
const functionCallOutput = z.looseObject({ type: z.literal('function_call_output'), call_id: z.string().min(1), output: content });
const customToolCallOutput = z.looseObject({ type: z.literal('custom_tool_call_output'), call_id: z.string().min(1), output: content });
const reasoning = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(tagged('type', { summary_text: z.looseObject({ type: z.literal('summary_text'), text: z.string() }) })).optional(),
  content: z.array(tagged('type', { reasoning_text: z.looseObject({ type: z.literal('reasoning_text'), text: z.string() }) })).nullish(),
  encrypted_content: z.string().nullish(),
});
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

/** An input item; kinds the proxy does not know (built-in tool calls, newer items) pass as sent. */
const item = tagged(
  'type',
  {
    message: messageItem,
    function_call: functionCall,
    custom_tool_call: customToolCall,
    function_call_output: functionCallOutput,
    custom_tool_call_output: customToolCallOutput,
    reasoning,
    item_reference: itemReference,
  },
  { missing: 'message' },
);
export type ResponsesItem = z.output<typeof item>;

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: json.nullish(),
  strict: z.boolean().nullish(),
});
/** A freeform tool (Codex's `apply_patch`): the model writes plain text, optionally held to a grammar (`format`). */
const customTool = z.looseObject({
  type: z.literal('custom'),
  name: z.string().min(1),
  description: z.string().nullish(),
  format: json.nullish(),
});
const namespacedTool = tagged('type', { function: functionTool, custom: customTool });
/** A group of function and custom tools the model calls by `name` plus `namespace` (Codex sends one per MCP server). */
const namespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(namespacedTool),
});
/** Function, custom and namespace tools are checked; built-in tools (web_search, mcp, local_shell ...) pass as sent. */
const tool = tagged('type', { function: functionTool, custom: customTool, namespace: namespaceTool });
export type ResponsesTool = z.output<typeof tool>;
export type NamespacedTool = z.output<typeof namespacedTool>;

const toolChoice = stringOr(
  z.enum(['none', 'auto', 'required']),
  tagged('type', {
    function: z.looseObject({ type: z.literal('function'), name: z.string().min(1), namespace: z.string().nullish() }),
    custom: z.looseObject({ type: z.literal('custom'), name: z.string().min(1), namespace: z.string().nullish() }),
    allowed_tools: z.looseObject({ type: z.literal('allowed_tools'), mode: z.enum(['auto', 'required']), tools: z.array(json) }),
  }),
);
export type ResponsesToolChoice = z.output<typeof toolChoice>;

const format = tagged('type', {
  text: z.looseObject({ type: z.literal('text') }),
  json_object: z.looseObject({ type: z.literal('json_object') }),
  json_schema: z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: json,
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
});

/**
 * A Responses request (`POST /v1/responses`). The fields the proxy reads or translates are
 * checked; any other field (`truncation`, `service_tier`, `client_metadata`, a field newer than the
 * proxy) and any item or tool kind it does not know passes through to Responses targets as sent.
 */
export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: stringOr(z.string(), z.array(item)).optional(),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  include: z.array(z.string()).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: format.nullish(), verbosity: z.string().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  metadata: json.nullish(),
});
export type ResponsesRequest = z.output<typeof responsesRequestSchema>;
