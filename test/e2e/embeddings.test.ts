// Embeddings through wrangler dev and the openai SDK: fallback across targets, cached, no degraded reply.
import { type APIError, InternalServerError } from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { embedVector } from '../mock-provider/openai-wire.ts';
import { cacheSdk, callsTo, proxyHeadersOf, uniquePrompt, untilHit } from './cache-client.ts';
import { DOWN, EMBED } from './cache-config.ts';
import { resetMock } from './observers.ts';

const client = cacheSdk();

beforeEach(resetMock);

describe('embeddings', () => {
  it('falls back to the second target; the SDK asks for base64 and decodes it to the vendor vectors', async () => {
    const input = [uniquePrompt('embed fallback a'), uniquePrompt('embed fallback b')];
    const { data, response } = await client.embeddings.create({ model: EMBED.alias, input }).withResponse();
    expect(proxyHeadersOf(response)).toMatchObject({
      'x-proxy-source': 'provider',
      'x-proxy-cache': 'MISS',
      'x-proxy-provider': EMBED.provider,
      'x-proxy-model': EMBED.model,
      'x-proxy-attempts': '3',
    });
    expect(data.object).toBe('list');
    expect(data.model).toBe(EMBED.model);
    expect(data.data.map((item) => item.index)).toEqual([0, 1]);
    expect(data.data.map((item) => item.embedding)).toEqual(input.map(embedVector));
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    const calls = await callsTo(EMBED.failing, EMBED.model);
    expect(calls.map((call) => call.model)).toEqual([EMBED.failing, EMBED.failing, EMBED.model]);
    expect(calls.every((call) => call.path === '/v1/embeddings')).toBe(true);
    expect(calls.at(-1)?.body).toMatchObject({ model: EMBED.model, input, encoding_format: 'base64' });
  });

  it('answers a repeat from the cache without calling a vendor', async () => {
    const input = uniquePrompt('embed repeat');
    const send = () => client.embeddings.create({ model: EMBED.alias, input }).withResponse();
    const first = await send();
    expect(first.response.headers.get('x-proxy-cache')).toBe('MISS');
    const { hit, misses } = await untilHit(send);
    expect(proxyHeadersOf(hit.response)).toMatchObject({
      'x-proxy-source': 'cache',
      'x-proxy-cache': 'HIT',
      'x-proxy-provider': EMBED.provider,
      'x-proxy-attempts': '0',
    });
    expect(hit.response.headers.get('age')).toMatch(/^\d+$/);
    expect(hit.data).toEqual(first.data);
    expect(hit.data.data[0]?.embedding).toEqual(embedVector(input));
    expect(await callsTo(EMBED.model)).toHaveLength(1 + misses);
  });

  it('keeps float and base64 answers apart: encoding_format is part of the key', async () => {
    const input = uniquePrompt('embed formats');
    await untilHit(() => client.embeddings.create({ model: EMBED.alias, input }).withResponse());
    const { data, response } = await client.embeddings.create({ model: EMBED.alias, input, encoding_format: 'float' }).withResponse();
    expect(response.headers.get('x-proxy-cache')).toBe('MISS');
    expect(data.data[0]?.embedding).toEqual(embedVector(input));
    expect((await callsTo(EMBED.model)).at(-1)?.body).toMatchObject({ encoding_format: 'float' });
  });

  it('answers 503 when every target fails: degraded replies are for chat only', async () => {
    const error = await client.embeddings.create({ model: DOWN.alias, input: uniquePrompt('embed down') }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe('all_targets_failed');
    expect(await callsTo(...DOWN.models)).toHaveLength(4);
  });
});
