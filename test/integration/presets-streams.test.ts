// Stream quirks as recorded: reasoning-first commits, mid-stream errors, vendor finish reasons, usage placement.
import { describe, expect, it } from 'vitest';
import { fakeVendors, jsonReply, type Reply, sseReply, type VendorCall } from '../fixtures/presets/fake-vendor.ts';
import { assembled, BACKUP_URL, callPreset, helloBody, PRESET_KEYS, sseDatas } from '../fixtures/presets/preset-proxy.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';

const OPENROUTER = 'https://openrouter.ai/api/v1/chat/completions';
const streaming = (extra: Record<string, unknown> = {}) => helloBody({ stream: true, ...extra });
const errorOf = (data: string | undefined) => (JSON.parse(data ?? '{}') as { error?: { code: string; message: string } }).error;

describe('OpenRouter', () => {
  it('commits on reasoning-only chunks, so a long think does not trip the first-token timeout', async () => {
    // 300 ms to the first token, then the vendor thinks for 800 ms before any `content`.
    const stall = { marker: '{"content":"Hello"', ms: 800 };
    const vendors = fakeVendors({ [OPENROUTER]: [sseReply(RECORDED.openrouter.stream, stall)] });
    const retry = { firstTokenTimeoutMs: 300, idleTimeoutMs: 2000 };
    const { res, text, log } = await callPreset({ preset: 'openrouter', model: 'z-ai/glm-4.5', vendors, body: streaming(), retry });
    expect(res.headers.get('x-proxy-provider')).toBe('openrouter');
    expect(vendors.calls).toHaveLength(1);
    expect(assembled(sseDatas(text))).toMatchObject({ text: 'Hello! How can I help?', reasoning: 'The user wants a greeting.' });
    expect(log?.streamOutcome).toBe('complete');
  });

  it('ends a stream whose chunk carries an error and finish_reason "error" with an in-band error, no [DONE]', async () => {
    const vendors = fakeVendors({ [OPENROUTER]: [sseReply(RECORDED.openrouter.streamMidError)] });
    const { res, text, log } = await callPreset({ preset: 'openrouter', model: 'z-ai/glm-4.5', vendors, body: streaming() });
    expect(res.status).toBe(200);
    const datas = sseDatas(text);
    expect(datas).not.toContain('[DONE]');
    expect(assembled(datas.slice(0, -1)).text).toBe('Hello! How can');
    expect(errorOf(datas.at(-1))).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('Provider disconnected') });
    expect(log).toMatchObject({ streamOutcome: 'error', error: 'upstream_error' });
  });
});

describe('Zhipu', () => {
  it('passes a finish_reason "sensitive" (content filtered mid-answer) through and ends with [DONE]', async () => {
    const url = 'https://open.bigmodel.cn/api/paas/v4/chat/completions';
    const vendors = fakeVendors({ [url]: [sseReply(RECORDED.zhipu.streamSensitive)] });
    const { text, log } = await callPreset({ preset: 'zhipu', model: 'glm-4.6', vendors, body: streaming() });
    const datas = sseDatas(text);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(assembled(datas)).toMatchObject({ text: '关于这个问题，', finish: 'sensitive' });
    expect(log?.usage).toEqual({ prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 });
  });

  // Zhipu's `network_error` finish means inference failed: an in-band error, never a complete answer.
  it('ends a stream finished with "network_error" with an in-band error, not [DONE]', async () => {
    const url = 'https://open.bigmodel.cn/api/paas/v4/chat/completions';
    const vendors = fakeVendors({ [url]: [sseReply(RECORDED.zhipu.streamNetworkError)] });
    const { text } = await callPreset({ preset: 'zhipu', model: 'glm-4.6', vendors, body: streaming() });
    expect(sseDatas(text)).not.toContain('[DONE]');
  });
});

describe('usage chunks', () => {
  it("forwards DashScope's choices-less usage chunk only to a caller that asked for usage", async () => {
    const url = 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions';
    const run = async (body: Record<string, unknown>) => {
      const vendors = fakeVendors({ [url]: [sseReply(RECORDED.qwen.stream)] });
      const { text } = await callPreset({ preset: 'qwen', model: 'qwen-plus', vendors, body });
      return assembled(sseDatas(text)).chunks.filter((c) => c.choices?.length === 0);
    };
    expect(await run(streaming())).toEqual([]);
    const asked = await run(streaming({ stream_options: { include_usage: true } }));
    expect(asked.map((c) => c.usage)).toEqual([
      { prompt_tokens: 22, completion_tokens: 9, total_tokens: 31, prompt_tokens_details: { cached_tokens: 0 } },
    ]);
  });

  // Moonshot puts usage in choices[0].usage and Groq in x_groq.usage; the relay gives it top-level too.
  it.each([
    { preset: 'moonshot', url: 'https://api.moonshot.cn/v1', model: 'moonshot-v1-8k' },
    { preset: 'groq', url: 'https://api.groq.com/openai/v1', model: 'llama-3.3-70b-versatile' },
  ] as const)('gives a caller that asked for usage a top-level usage from $preset', async (c) => {
    const vendors = fakeVendors({ [`${c.url}/chat/completions`]: [sseReply(RECORDED[c.preset].stream)] });
    const body = streaming({ stream_options: { include_usage: true } });
    const { text } = await callPreset({ preset: c.preset, model: c.model, vendors, body });
    expect(assembled(sseDatas(text)).chunks.some((chunk) => typeof chunk.usage === 'object' && chunk.usage !== null)).toBe(true);
  });
});

describe('Mistral', () => {
  // Mistral rejects `stream_options` with a 422 (extra_forbidden) and sends usage on its last chunk
  // anyway: its preset leaves the field out.
  it('streams from Mistral, which refuses stream_options with a 422', async () => {
    const strict = (call: VendorCall): Reply =>
      'stream_options' in call.body ? jsonReply(RECORDED.mistral.error422StreamOptions, 422) : sseReply(RECORDED.mistral.stream);
    const vendors = fakeVendors({ 'https://api.mistral.ai/v1/chat/completions': strict });
    const { res, text } = await callPreset({ preset: 'mistral', model: 'mistral-small-latest', vendors, body: streaming() });
    expect(res.status).toBe(200);
    expect(assembled(sseDatas(text)).text).toBe('Hello! How can I help you today?');
  });
});

describe('Ollama', () => {
  it('is called without any key env set and without an Authorization header', async () => {
    const url = 'http://127.0.0.1:11434/v1/chat/completions';
    const vendors = fakeVendors({ [url]: [sseReply(RECORDED.ollama.stream)] });
    const env = { BACKUP_KEY: PRESET_KEYS.BACKUP_KEY ?? '' };
    const { res, text } = await callPreset({ preset: 'ollama', model: 'qwen3:8b', vendors, body: streaming(), env });
    expect(res.headers.get('x-proxy-provider')).toBe('ollama');
    expect(vendors.calls[0]?.headers.has('authorization')).toBe(false);
    expect(assembled(sseDatas(text)).text).toBe('Hello! How can I help you today?');
  });
});

describe('DeepSeek', () => {
  it('falls over when only keep-alive comments come before the first-token timeout', async () => {
    const url = 'https://api.deepseek.com/v1/chat/completions';
    const stall = { marker: 'data: ', ms: 800 };
    const backup = `${BACKUP_URL}/chat/completions`;
    const vendors = fakeVendors({ [url]: [sseReply(RECORDED.deepseek.stream, stall)], [backup]: [sseReply(RECORDED.openai.stream)] });
    const retry = { firstTokenTimeoutMs: 300 };
    const result = await callPreset({
      preset: 'deepseek',
      model: 'deepseek-reasoner',
      vendors,
      body: streaming(),
      retry,
      withBackup: true,
    });
    expect(result.res.headers.get('x-proxy-provider')).toBe('backup');
    expect(result.log?.attempts.map((a) => [a.provider, a.error ?? 'ok'])).toEqual([
      ['deepseek', 'timeout:first_token'],
      ['backup', 'ok'],
    ]);
  });
});
