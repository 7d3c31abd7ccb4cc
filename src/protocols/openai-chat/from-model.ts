// The internal request as a Chat Completions body, for an OpenAI-compatible target. Pure.
import type { Json } from '../json.ts';
import type { ModelMessage, ModelPart, ModelRequest } from '../model.ts';

/** What the target adds to the request: its model, the output limit when the request has none (and its field), whether it takes `stream_options`. */
export interface ChatTargetOptions {
  model: string;
  maxTokens: number | undefined;
  limitField: 'max_tokens' | 'max_completion_tokens';
  streamOptions: boolean;
}

/**
 * Builds the body: the system text as one system message, tool results as `tool` messages (before
 * the rest of their user turn, as OpenAI expects them right after the assistant's calls), tool
 * calls as `tool_calls`, reasoning as `reasoning_content`. Cache marks, signatures and redacted
 * reasoning mean nothing to OpenAI-compatible vendors and are left out; so are `top_k` and reasoning
 * settings, which they refuse or read differently.
 */
export function modelToChat(request: ModelRequest, options: ChatTargetOptions): Json {
  const messages: Json[] = [];
  const system = request.system.map((p) => p.text).join('\n\n');
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const message of request.messages) messages.push(...(message.role === 'user' ? userMessages(message) : [assistantMessage(message)]));
  const body: Json = { model: options.model, messages };
  const maxTokens = request.maxTokens ?? options.maxTokens;
  if (maxTokens !== undefined) body[options.limitField] = maxTokens;
  if (request.stream) {
    body.stream = true;
    if (options.streamOptions) body.stream_options = { include_usage: true };
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.user !== undefined) body.user = request.user;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: Json = { name: tool.name, parameters: tool.parameters };
      if (tool.description !== undefined) fn.description = tool.description;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: 'function', function: fn };
    });
    const choice = request.toolChoice;
    if (choice !== undefined)
      body.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const format = request.responseFormat;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    const schema: Json = { name: format.name, schema: format.schema };
    if (format.strict !== undefined) schema.strict = format.strict;
    body.response_format = { type: 'json_schema', json_schema: schema };
  }
  return body;
}

/** A user turn: its tool results as `tool` messages first, then its own parts (and images a tool returned). */
function userMessages(message: ModelMessage): Json[] {
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const part of message.parts) {
    if (part.type === 'tool-result') {
      const text = part.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      out.push({ role: 'tool', tool_call_id: part.callId, content: part.isError === true ? `Error: ${text}` : text });
      for (const p of part.content) {
        const image = p.type === 'image' ? userPart(p) : undefined;
        if (image !== undefined) parts.push(image);
      }
      continue;
    }
    const converted = userPart(part);
    if (converted !== undefined) parts.push(converted);
  }
  if (parts.length === 1 && parts[0]?.type === 'text') out.push({ role: 'user', content: parts[0].text });
  else if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function userPart(part: ModelPart): Json | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return { type: 'image_url', image_url: part.detail === undefined ? { url: part.url } : { url: part.url, detail: part.detail } };
    case 'file': {
      const file: Json = {};
      if (part.data !== undefined) file.file_data = part.data;
      if (part.fileId !== undefined) file.file_id = part.fileId;
      if (part.filename !== undefined) file.filename = part.filename;
      return { type: 'file', file };
    }
    default:
      // Reasoning and tool calls belong to assistant turns.
      return undefined;
  }
}

function assistantMessage(message: ModelMessage): Json {
  let text = '';
  let reasoning = '';
  const calls: Json[] = [];
  for (const part of message.parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call')
      calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }
  const out: Json = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) out.tool_calls = calls;
  if (reasoning !== '') out.reasoning_content = reasoning;
  return out;
}

/** What the internal request holds that an OpenAI-compatible target is not sent (see `modelToChat`), by name. */
export function notSentToChat(request: ModelRequest): string[] {
  const out: string[] = [];
  if (request.topK !== undefined) out.push('top_k');
  if (request.reasoning?.budgetTokens !== undefined) out.push('thinking');
  if (request.reasoning?.effort !== undefined) out.push('effort');
  return out;
}
