// POST /v1/messages/count_tokens through `wrangler dev` with @anthropic-ai/sdk: asked of the alias's Anthropic target, else estimated.
import type { MessageCountTokensParams, Tool } from '@anthropic-ai/sdk/resources/messages';
import { beforeEach, describe, expect, it } from 'vitest';
import { agentClient, resetVendorTap, vendorExchanges } from './agent-client.ts';
import { AGENT, AGENT_MODEL } from './agent-config.ts';
import { BETAS } from './agent-session.ts';
import { CLAUDE } from './config.ts';
import { logLineFor, mockCalls, resetMock } from './observers.ts';

const tools: Tool[] = [
  {
    name: 'Write',
    description: 'Writes a file to the local filesystem.',
    input_schema: { type: 'object', properties: { file_path: { type: 'string' } } },
  },
];
/** A body as Claude Code counts one part of its context: one user message, and the tools. */
const body = (model: string, withTools = true): MessageCountTokensParams => ({
  model,
  system: 'You are a Claude agent, built on Anthropic’s Claude Agent SDK.',
  messages: [{ role: 'user', content: 'Count the tokens of this message, please.' }],
  ...(withTools ? { tools } : {}),
});
let ids = 0;
const requestId = (): string => `e2e-count-${++ids}`;

beforeEach(async () => {
  await resetMock();
  await resetVendorTap();
});

describe('count_tokens answered by the Anthropic target', () => {
  it('passes the count through as the vendor sent it, with the body as sent but model', async () => {
    const { client, exchanges } = agentClient();
    const id = requestId();
    const { data, response } = await client.messages.countTokens(body(AGENT.plain), { headers: { 'x-request-id': id } }).withResponse();
    const [vendor] = await vendorExchanges();
    expect(response.headers.get('x-proxy-estimated')).toBeNull();
    expect(response.headers.get('x-proxy-provider')).toBe(`${AGENT.plain}-vendor`);
    expect(vendor?.path).toMatch(/\/v1\/messages\/count_tokens$/);
    expect(vendor?.body).toBe(JSON.stringify({ ...(JSON.parse(exchanges[0]?.body ?? '') as object), model: AGENT_MODEL }));
    expect(data).toEqual(JSON.parse(vendor?.answer ?? ''));
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(await logLineFor(id)).toMatchObject({
      route: '/v1/messages/count_tokens',
      source: 'provider',
      provider: `${AGENT.plain}-vendor`,
    });
  });

  it('forwards the beta list, anthropic-version and ?beta=true as Claude Code sends them (client.beta.messages.countTokens)', async () => {
    const { client, exchanges } = agentClient();
    const { data, response } = await client.beta.messages
      .countTokens({ ...body(AGENT.plain), betas: BETAS.slice(0, 3) }, { query: { beta: 'true' } })
      .withResponse();
    const [call] = await mockCalls();
    const sent = exchanges[0]?.headers ?? {};
    expect(response.headers.get('x-proxy-estimated')).toBeNull();
    expect(sent['anthropic-beta']).toBe([...BETAS.slice(0, 3), 'token-counting-2024-11-01'].join(','));
    expect(call).toMatchObject({
      path: '/v1/messages/count_tokens',
      query: '?beta=true',
      anthropicBeta: sent['anthropic-beta'],
      anthropicVersion: sent['anthropic-version'],
    });
    expect(data).toEqual(JSON.parse((await vendorExchanges())[0]?.answer ?? ''));
  });

  it('skips OpenAI-protocol targets and asks the first Anthropic one', async () => {
    const { client } = agentClient();
    const { data, response } = await client.messages.countTokens(body(CLAUDE.fromOpenAI)).withResponse();
    expect(response.headers.get('x-proxy-estimated')).toBeNull();
    expect(response.headers.get('x-proxy-provider')).toBe('claude-ok');
    expect((await mockCalls()).map((c) => c.path)).toEqual(['/v1/messages/count_tokens']);
    expect(data.input_tokens).toBeGreaterThan(0);
  });
});

describe('count_tokens estimated by the proxy', () => {
  it('estimates (x-proxy-estimated: true) without any vendor call when the alias has no Anthropic target', async () => {
    const { client } = agentClient();
    const id = requestId();
    const { data, response } = await client.messages.countTokens(body('healthy'), { headers: { 'x-request-id': id } }).withResponse();
    const without = await client.messages.countTokens(body('healthy', false));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-proxy-estimated')).toBe('true');
    expect(response.headers.get('x-proxy-provider')).toBeNull();
    expect(data.input_tokens).toBeGreaterThan(without.input_tokens);
    expect(without.input_tokens).toBeGreaterThan(0);
    expect(await mockCalls()).toEqual([]);
    expect(await logLineFor(id)).toMatchObject({ route: '/v1/messages/count_tokens', source: 'estimate', attempts: [] });
  });

  it('estimates after one unretried call when the Anthropic target fails (529)', async () => {
    const { client } = agentClient();
    const id = requestId();
    const { data, response } = await client.messages.countTokens(body(CLAUDE.toOpenAI), { headers: { 'x-request-id': id } }).withResponse();
    expect(response.headers.get('x-proxy-estimated')).toBe('true');
    expect(data.input_tokens).toBeGreaterThan(0);
    expect((await mockCalls()).map((c) => c.path)).toEqual(['/v1/messages/count_tokens']);
    const line = await logLineFor(id);
    expect(line).toMatchObject({ source: 'estimate' });
    expect(line.attempts).toEqual([expect.objectContaining({ provider: 'claude-529', status: 529, error: 'http:529:overloaded_error' })]);
  });

  it('logs the failed count attempt as retryable, a 529 being of a transient kind', async () => {
    const { client } = agentClient();
    const id = requestId();
    await client.messages.countTokens(body(CLAUDE.toOpenAI), { headers: { 'x-request-id': id } });
    // The line itself is checked by the test above; this one only holds its attempt's `retryable`.
    const [attempt] = (await logLineFor(id)).attempts as { retryable: boolean }[];
    expect(attempt?.retryable).toBe(true);
  });
});
