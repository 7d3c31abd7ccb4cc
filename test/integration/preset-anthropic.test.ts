// Wire test of the `anthropic` preset: the real Messages URL, x-api-key and anthropic-version go out; recorded answers come back translated.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import overloaded from '../fixtures/anthropic/error-overloaded.json?raw';
import tooLong from '../fixtures/anthropic/error-prompt-too-long.json?raw';
import toolMessage from '../fixtures/anthropic/message-tool-use.json?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { type FakeVendors, fakeVendors, jsonReply, sseReply } from '../fixtures/presets/fake-vendor.ts';
import { assembled, sseDatas, TEST_RETRY } from '../fixtures/presets/preset-proxy.ts';
import { anthropicEvents, anthropicText } from './harness.ts';

const KEY = 'anthropic-test-key-not-real-42';
const URL_MESSAGES = 'https://api.anthropic.com/v1/messages';
const BACKUP = 'http://backup.test/v1';

function config(withBackup: boolean): string {
  const providers: Record<string, unknown> = { claude: { preset: 'anthropic' } };
  const targets: Record<string, unknown>[] = [{ provider: 'claude', model: 'claude-sonnet-4-5' }];
  if (withBackup) {
    providers.backup = { protocol: 'openai', baseUrl: BACKUP, apiKeyEnv: 'BACKUP_KEY' };
    targets.push({ provider: 'backup', model: 'backup-model' });
  }
  return JSON.stringify({ providers, models: { chat: { targets } }, retry: TEST_RETRY, degraded: { enabled: false } });
}

async function call(vendors: FakeVendors, path: string, body: unknown, withBackup = false): Promise<Response> {
  const app = createApp({ fetch: vendors.fetch });
  const env = { ANTHROPIC_API_KEY: KEY, BACKUP_KEY: 'sk-backup-0123456789', PROXY_CONFIG: config(withBackup) };
  const ctx = createExecutionContext();
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await app.request(path, init, env, ctx);
  const copy = new Response(await res.arrayBuffer(), res);
  await waitOnExecutionContext(ctx);
  return copy;
}

const backupAnswer = JSON.stringify({
  id: 'chatcmpl-backup',
  object: 'chat.completion',
  created: 1,
  model: 'backup-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'From the backup.' }, finish_reason: 'stop' }],
});

describe('the anthropic preset', () => {
  it('calls the Messages URL with x-api-key, anthropic-version and a Messages body', async () => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [jsonReply(toolMessage)] });
    await call(vendors, '/v1/chat/completions', {
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
      ],
    });
    const [sent] = vendors.calls;
    expect(sent?.url).toBe(URL_MESSAGES);
    expect(sent?.headers.get('x-api-key')).toBe(KEY);
    expect(sent?.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(sent?.headers.get('authorization')).toBeNull();
    expect(sent?.body).toEqual({
      model: 'claude-sonnet-4-5',
      // The request named no output limit: the client's cap (limits.maxTokens by default).
      max_tokens: 8192,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?' }] }],
    });
  });

  it('gives an OpenAI caller the recorded tool-use answer as a chat completion', async () => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [jsonReply(toolMessage)] });
    const res = await call(vendors, '/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'Weather?' }] });
    expect(res.headers.get('x-proxy-model')).toBe('claude-sonnet-4-5-20250929');
    const body = (await res.json()) as { choices: { message: { tool_calls: { function: { name: string } }[] }; finish_reason: string }[] };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls[0]?.function.name).toBe('get_weather');
  });

  it('gives an Anthropic caller the recorded answer back in its own shape', async () => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [jsonReply(toolMessage)] });
    const res = await call(vendors, '/v1/messages', { model: 'chat', max_tokens: 300, messages: [{ role: 'user', content: 'Weather?' }] });
    const message = (await res.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      model: 'claude-sonnet-4-5-20250929',
      stop_reason: 'tool_use',
      content: [{ type: 'text' }, { type: 'tool_use', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } }],
    });
    expect(vendors.calls[0]?.body).toMatchObject({ max_tokens: 300 });
  });

  it('streams the recorded text stream to an OpenAI caller, with usage and [DONE]', async () => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [sseReply(streamText)] });
    const res = await call(vendors, '/v1/chat/completions', {
      model: 'chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(vendors.calls[0]?.body).toMatchObject({ stream: true });
    expect(vendors.calls[0]?.body).not.toHaveProperty('stream_options');
    const datas = sseDatas(await res.text());
    expect(datas.at(-1)).toBe('[DONE]');
    expect(assembled(datas)).toMatchObject({ text: 'Hello!', finish: 'stop' });
    expect(JSON.parse(datas.at(-2) ?? '{}')).toMatchObject({ choices: [], usage: { prompt_tokens: 25, completion_tokens: 15 } });
  });

  it('streams the recorded thinking and tool-use stream to an Anthropic caller event for event as the vendor sent it', async () => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [sseReply(streamToolUse)] });
    const res = await call(vendors, '/v1/messages', {
      model: 'chat',
      max_tokens: 2048,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Weather in SF?' }],
    });
    expect(vendors.calls[0]?.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    const events = await anthropicEvents(res);
    expect(anthropicText(events)).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(events.filter((e) => e.event === 'content_block_start').map((e) => (e.data.content_block as { type: string }).type)).toEqual([
      'thinking',
      'text',
      'tool_use',
    ]);
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 89 } });
    expect(events).toEqual(await anthropicEvents(new Response(streamToolUse)));
  });

  it.each([
    ['an overloaded_error (529), retried then left', overloaded, 529, 2],
    ['a prompt too long (400), left at once', tooLong, 400, 1],
  ])('falls over to the next target on %s', async (_name, body, status, claudeCalls) => {
    const vendors = fakeVendors({ [URL_MESSAGES]: [jsonReply(body, status)], [BACKUP]: [jsonReply(backupAnswer)] });
    const res = await call(vendors, '/v1/messages', { model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }, true);
    expect(res.headers.get('x-proxy-provider')).toBe('backup');
    expect(vendors.callsTo(URL_MESSAGES)).toHaveLength(claudeCalls);
    expect(((await res.json()) as { content: unknown }).content).toEqual([{ type: 'text', text: 'From the backup.' }]);
  });
});
