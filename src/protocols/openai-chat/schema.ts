// Wire shapes of OpenAI Chat Completions requests, checked at the inbound edge: strict on what the proxy reads, open to the rest.
import * as z from 'zod';
import { tagged } from '../tagged.ts';

const json = z.record(z.string(), z.unknown());
const cacheControl = json.optional();

const textPart = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
});
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const userParts = tagged('type', { text: textPart, image_url: imagePart, input_audio: audioPart, file: filePart });
const textParts = tagged('type', { text: textPart });
const assistantParts = tagged('type', { text: textPart, refusal: refusalPart });

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const textContent = z.union([z.string(), z.array(textParts)]);

const message = tagged('role', {
  system: z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  developer: z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  user: z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userParts)]), name: z.string().optional() }),
  assistant: z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(assistantParts)]).nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(tagged('type', { function: toolCall })).optional(),
    function_call: z.looseObject({ name: z.string(), arguments: z.string() }).nullish(),
    reasoning_content: z.string().nullish(),
    prefix: z.boolean().optional(),
  }),
  tool: z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
  function: z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
});
export type ChatMessage = z.output<typeof message>;

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, _ or -'),
    description: z.string().optional(),
    parameters: json.optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
  // A tool choice of a kind the proxy does not know (a hosted tool, a custom grammar): the vendor's to judge.
  z.looseObject({ type: z.string().refine((type) => type !== 'function', 'a function tool choice needs a "function" object') }),
]);

const responseFormat = tagged('type', {
  text: z.looseObject({ type: z.literal('text') }),
  json_object: z.looseObject({ type: z.literal('json_object') }),
  json_schema: z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().optional(), schema: json.optional(), strict: z.boolean().nullish() }),
  }),
});

const unit = z.number().min(0).max(1);

/**
 * A Chat Completions request. The fields the proxy reads or translates are checked; any other
 * field (a vendor extension, a parameter newer than the proxy) passes through to OpenAI-compatible
 * targets as sent.
 */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: unit.nullish(),
  top_k: z.number().int().nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  seed: z.number().int().nullish(),
  user: z.string().nullish(),
  metadata: json.nullish(),
  tools: z.array(tagged('type', { function: functionTool })).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(json).nullish(),
  function_call: z.union([z.string(), json]).nullish(),
  response_format: responseFormat.nullish(),
  reasoning_effort: z.string().nullish(),
  modalities: z.array(z.string()).nullish(),
  audio: json.nullish(),
});
export type ChatRequest = z.output<typeof chatRequestSchema>;

/** An Embeddings request (`POST /v1/embeddings`). */
export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.string().optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});
export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;
