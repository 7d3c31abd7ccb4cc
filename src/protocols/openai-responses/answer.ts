// Whole Responses answers: what a Response object says about itself, and conversions to and from the internal shape.
import type { AnswerFacts } from '../adapter.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import type { FinishReason, ModelAnswer, ModelPart } from '../model.ts';
import { outputItems, readTaggedReasoning, responseIdOf, responseObject, statusOf, usageOfResponse } from './response-object.ts';
import { callerCallItem, flatName, toolNamesOf } from './tool-names.ts';

/** Whether a value is a Response object (`object: "response"` with its output items). */
function isResponse(value: unknown): value is Json & { output: unknown[] } {
  return isObject(value) && value.object === 'response' && Array.isArray(value.output);
}

/** Reads a Response object; undefined when the body is not one. Only a `completed` Response may be cached. */
export function readResponse(value: unknown): AnswerFacts | undefined {
  if (!isResponse(value)) return undefined;
  return { model: stringOr(value.model), usage: usageOfResponse(value), cacheable: value.status === 'completed' };
}

/** A Response's status in the proxy's terms: a completed answer that calls tools, one cut at its limit, one filtered. */
function finishOf(response: Json, parts: readonly ModelPart[]): FinishReason {
  const reason = isObject(response.incomplete_details) ? response.incomplete_details.reason : undefined;
  if (response.status === 'incomplete' && reason === 'max_output_tokens') return 'length';
  if (response.status === 'incomplete' && reason === 'content_filter') return 'content_filter';
  return parts.some((part) => part.type === 'tool-call') ? 'tool_calls' : 'stop';
}

/**
 * A vendor's Response object in the internal shape: its assistant messages' text (a refusal is
 * text), function calls (a namespaced one under its flat name, see `flatName`; a custom tool call
 * with its input as `{"input": …}`), and reasoning items (their summary, else reasoning text; an
 * Anthropic signature or redacted thinking the proxy tagged in `encrypted_content` read back).
 * Items of built-in tools have no equivalent elsewhere and are left out. Undefined when the body
 * is not a Response.
 */
export function responseToModel(value: unknown): ModelAnswer | undefined {
  if (!isResponse(value)) return undefined;
  const parts = value.output.filter(isObject).flatMap(partsOf);
  const answer: ModelAnswer = {
    id: stringOr(value.id) ?? '',
    model: stringOr(value.model) ?? '',
    created: typeof value.created_at === 'number' ? value.created_at : Math.floor(Date.now() / 1000),
    parts,
    finish: finishOf(value, parts),
    cacheable: value.status === 'completed',
  };
  const usage = usageOfResponse(value);
  if (usage !== undefined) answer.usage = usage;
  return answer;
}

function partsOf(item: Json): ModelPart[] {
  const name = stringOr(item.name) ?? '';
  const namespace = stringOr(item.namespace);
  switch (item.type) {
    case 'message':
      return (Array.isArray(item.content) ? item.content.filter(isObject) : []).flatMap((part): ModelPart[] => {
        const text = part.type === 'output_text' ? stringOr(part.text) : part.type === 'refusal' ? stringOr(part.refusal) : undefined;
        return text === undefined || text === '' ? [] : [{ type: 'text', text }];
      });
    case 'function_call':
      return [
        { type: 'tool-call', id: stringOr(item.call_id) ?? '', name: flatName(name, namespace), arguments: stringOr(item.arguments) ?? '' },
      ];
    case 'custom_tool_call': {
      const args = JSON.stringify({ input: stringOr(item.input) ?? '' });
      return [{ type: 'tool-call', id: stringOr(item.call_id) ?? '', name: flatName(name, namespace), arguments: args }];
    }
    case 'reasoning':
      return reasoningOf(item);
    default:
      return [];
  }
}

function reasoningOf(item: Json): ModelPart[] {
  const texts = (parts: unknown): string =>
    (Array.isArray(parts) ? parts.filter(isObject) : []).flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])).join('\n\n');
  const text = texts(item.summary) || texts(item.content);
  const encrypted = stringOr(item.encrypted_content);
  const tagged = encrypted === undefined ? undefined : readTaggedReasoning(encrypted);
  if (tagged?.kind === 'thinking') return [{ type: 'reasoning', text, signature: tagged.signature }];
  if (tagged?.kind === 'redacted') return [{ type: 'redacted-reasoning', data: tagged.data }];
  return text === '' ? [] : [{ type: 'reasoning', text }];
}

/**
 * The internal answer as the Response object a Responses caller reads (`request`: its body, echoed
 * as OpenAI echoes it): text as one assistant message per run, reasoning items (Anthropic
 * signatures tagged in `encrypted_content`), and tool calls named as the caller declared them (a
 * namespaced function with its `namespace`, a custom tool as a `custom_tool_call`, see `callerCallItem`).
 */
export function modelToResponse(answer: ModelAnswer, request: Json): Json {
  const names = toolNamesOf(request);
  const { status, incomplete_details } = statusOf(answer.finish);
  const output = outputItems(answer.parts).map((item) => callerCallItem(item, names));
  const facts = { id: responseIdOf(answer.id), createdAt: answer.created, model: answer.model, status, output, usage: answer.usage };
  return responseObject({ ...facts, incompleteDetails: incomplete_details }, request);
}
