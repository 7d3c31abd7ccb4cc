// Embeddings callers (`POST /v1/embeddings`): OpenAI's shape, served only by targets that speak it (never translated).
import type { AnswerFacts, CallerAdapter, CallerRequest, HttpFacts } from '../adapter.ts';
import { isObject, type Json, stringOr } from '../json.ts';
import { UnsupportedRequest } from '../model.ts';
import { parseBody, without } from '../validate.ts';
import { openaiErrorBody } from './caller.ts';
import { embeddingsRequestSchema } from './schema.ts';

const NOT_IDENTITY = new Set(['user']);

/** Reads an embeddings list; its usage has no completion tokens. */
export function readEmbeddings(value: unknown): AnswerFacts | undefined {
  if (!isObject(value) || !Array.isArray(value.data) || value.data.length === 0) return undefined;
  const usage = isObject(value.usage) ? value.usage : {};
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  return {
    model: stringOr(value.model),
    usage: prompt === undefined ? undefined : { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt },
    cacheable: true,
  };
}

function notTranslated(): never {
  throw new UnsupportedRequest('embeddings (only OpenAI-compatible targets have an embeddings API)');
}

function parse(value: unknown, _http: HttpFacts): CallerRequest {
  const parsed = parseBody(embeddingsRequestSchema, value);
  const body = value as Json;
  return {
    caller: embeddingsCaller,
    body,
    model: parsed.model,
    stream: false,
    messageCount: 0,
    maxTokens: undefined,
    generates: false,
    choices: 1,
    wantsUsage: false,
    forward: { headers: {}, query: '' },
    toModel: notTranslated,
    cacheIdentity: () => without(body, NOT_IDENTITY),
    lastUserText: () => undefined,
    sessionHint: () => '',
    encodeAnswer: notTranslated,
    encoder: notTranslated,
  };
}

/** The `openai-embeddings` caller protocol: no streams, no degraded replies, no translation. */
export const embeddingsCaller: CallerAdapter = {
  id: 'openai-embeddings',
  parse,
  errorBody: openaiErrorBody,
  readAnswer: readEmbeddings,
  assembler: () => ({ size: 0, add: () => {}, result: () => undefined }),
  replay: () => [],
};
