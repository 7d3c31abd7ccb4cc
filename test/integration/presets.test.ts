// Wire tests per vendor preset: the real vendor URL, key and body go out; the recorded answer comes back whole.
import { describe, expect, it } from 'vitest';
import { fakeVendors, jsonReply, sseReply } from '../fixtures/presets/fake-vendor.ts';
import { assembled, callPreset, helloBody, PRESET_KEYS, sseDatas } from '../fixtures/presets/preset-proxy.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';

interface PresetCase {
  preset: keyof typeof RECORDED;
  /** The vendor's chat completions URL: the preset's base URL plus `/chat/completions`. */
  url: string;
  /** The env var holding the key; undefined when the vendor takes none. */
  keyEnv: string | undefined;
  model: string;
  text: string;
  reasoning: string;
  finish: string;
  /** Usage as the log line must show it, in OpenAI's terms. */
  usage: [prompt: number, completion: number, total: number];
}

const CASES: PresetCase[] = [
  {
    preset: 'openai',
    url: 'https://api.openai.com/v1',
    keyEnv: 'OPENAI_API_KEY',
    model: 'gpt-4o-mini',
    text: 'Hello! How can I help you today?',
    reasoning: '',
    finish: 'stop',
    usage: [9, 9, 18],
  },
  {
    preset: 'deepseek',
    url: 'https://api.deepseek.com/v1',
    keyEnv: 'DEEPSEEK_API_KEY',
    model: 'deepseek-reasoner',
    text: 'Hello! How can I help?',
    reasoning: 'The user wants a greeting. Keep it short.',
    finish: 'stop',
    usage: [11, 24, 35],
  },
  {
    preset: 'qwen',
    url: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    keyEnv: 'DASHSCOPE_API_KEY',
    model: 'qwen-plus',
    text: '你好！有什么可以帮你的吗？',
    reasoning: '',
    finish: 'stop',
    usage: [22, 9, 31],
  },
  {
    preset: 'zhipu',
    url: 'https://open.bigmodel.cn/api/paas/v4',
    keyEnv: 'ZHIPU_API_KEY',
    model: 'glm-4.6',
    text: '你好！有什么可以帮你？',
    reasoning: '用户在打招呼。',
    finish: 'stop',
    usage: [8, 15, 23],
  },
  {
    preset: 'moonshot',
    url: 'https://api.moonshot.cn/v1',
    keyEnv: 'MOONSHOT_API_KEY',
    model: 'moonshot-v1-8k',
    text: '你好！很高兴为你提供帮助。',
    reasoning: '',
    finish: 'stop',
    usage: [19, 13, 32],
  },
  {
    preset: 'gemini',
    url: 'https://generativelanguage.googleapis.com/v1beta/openai',
    keyEnv: 'GEMINI_API_KEY',
    model: 'gemini-2.5-flash',
    text: 'Hello there! How can I help?',
    reasoning: '',
    finish: 'stop',
    usage: [4, 8, 12],
  },
  {
    preset: 'openrouter',
    url: 'https://openrouter.ai/api/v1',
    keyEnv: 'OPENROUTER_API_KEY',
    model: 'z-ai/glm-4.5',
    text: 'Hello! How can I help?',
    reasoning: 'The user wants a greeting.',
    finish: 'stop',
    usage: [16, 17, 33],
  },
  {
    preset: 'deerapi',
    url: 'https://api.deerapi.com/v1',
    keyEnv: 'DEERAPI_API_KEY',
    model: 'gpt-4o-mini',
    text: 'Hello! How can I help you today?',
    reasoning: '',
    finish: 'stop',
    usage: [9, 9, 18],
  },
  {
    preset: 'cometapi',
    url: 'https://api.cometapi.com/v1',
    keyEnv: 'COMETAPI_API_KEY',
    model: 'claude-sonnet-4-5-20250929',
    text: 'Hello! How can I help you today?',
    reasoning: '',
    finish: 'stop',
    usage: [12, 14, 26],
  },
  {
    preset: 'groq',
    url: 'https://api.groq.com/openai/v1',
    keyEnv: 'GROQ_API_KEY',
    model: 'llama-3.3-70b-versatile',
    text: 'Hello! How can I help you today?',
    reasoning: '',
    finish: 'stop',
    usage: [45, 9, 54],
  },
  {
    preset: 'mistral',
    url: 'https://api.mistral.ai/v1',
    keyEnv: 'MISTRAL_API_KEY',
    model: 'mistral-small-latest',
    text: 'Hello! How can I help you today?',
    reasoning: '',
    finish: 'stop',
    usage: [8, 11, 19],
  },
  {
    preset: 'xai',
    url: 'https://api.x.ai/v1',
    keyEnv: 'XAI_API_KEY',
    model: 'grok-3-mini',
    text: 'Hello! How can I help you today?',
    reasoning: 'The user said hello. A short friendly greeting fits.',
    finish: 'stop',
    usage: [10, 53, 63],
  },
  {
    preset: 'ollama',
    url: 'http://127.0.0.1:11434/v1',
    keyEnv: undefined,
    model: 'qwen3:8b',
    text: 'Hello! How can I help you today?',
    reasoning: 'The user greets me; answer briefly.',
    finish: 'stop',
    usage: [12, 30, 42],
  },
];

const usageOf = ([prompt_tokens, completion_tokens, total_tokens]: PresetCase['usage']) => ({
  prompt_tokens,
  completion_tokens,
  total_tokens,
});

describe.each(CASES)('the $preset preset', (c) => {
  const recorded = RECORDED[c.preset];
  const endpoint = `${c.url}/chat/completions`;
  const answerModel = (body: string): string => {
    const first = sseDatas(body).find((d) => d !== '[DONE]') ?? body;
    return (JSON.parse(first) as { model: string }).model;
  };

  it('calls the vendor URL with its key, JSON and the target model', async () => {
    const vendors = fakeVendors({ [endpoint]: [jsonReply(recorded.completion)] });
    await callPreset({ preset: c.preset, model: c.model, vendors, body: helloBody() });
    expect(vendors.calls).toHaveLength(1);
    const call = vendors.calls[0];
    expect(call?.url).toBe(endpoint);
    expect(call?.method).toBe('POST');
    expect(call?.headers.get('content-type')).toBe('application/json');
    const key = c.keyEnv === undefined ? undefined : PRESET_KEYS[c.keyEnv];
    expect(call?.headers.get('authorization')).toBe(key === undefined ? null : `Bearer ${key}`);
    // The request named no output limit: the vendor gets the client's cap (limits.maxTokens) in the field it takes.
    const limitField = c.preset === 'openai' ? 'max_completion_tokens' : 'max_tokens';
    expect(call?.body).toEqual({ model: c.model, messages: [{ role: 'user', content: 'Say hello' }], [limitField]: 8192 });
  });

  it('passes the vendor answer through byte for byte and logs its usage', async () => {
    const vendors = fakeVendors({ [endpoint]: [jsonReply(recorded.completion)] });
    const { res, text, log } = await callPreset({ preset: c.preset, model: c.model, vendors, body: helloBody() });
    expect(res.status).toBe(200);
    expect(text).toBe(recorded.completion);
    expect(res.headers.get('x-proxy-provider')).toBe(c.preset);
    expect(res.headers.get('x-proxy-model')).toBe(answerModel(recorded.completion));
    expect(log?.usage).toMatchObject(usageOf(c.usage));
  });

  it('asks for usage, streams the whole answer with reasoning and finish reason, ends with [DONE] and logs usage', async () => {
    const vendors = fakeVendors({ [endpoint]: [sseReply(recorded.stream)] });
    const { res, text, log } = await callPreset({ preset: c.preset, model: c.model, vendors, body: helloBody({ stream: true }) });
    const options = c.preset === 'mistral' ? {} : { stream_options: { include_usage: true } };
    expect(vendors.calls[0]?.body).toMatchObject({ model: c.model, stream: true, ...options });
    if (c.preset === 'mistral') expect(vendors.calls[0]?.body).not.toHaveProperty('stream_options');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-proxy-provider')).toBe(c.preset);
    expect(res.headers.get('x-proxy-model')).toBe(answerModel(recorded.stream));
    const datas = sseDatas(text);
    expect(datas.at(-1)).toBe('[DONE]');
    const answer = assembled(datas);
    expect(answer).toMatchObject({ text: c.text, reasoning: c.reasoning, finish: c.finish });
    expect(log).toMatchObject({ streamOutcome: 'complete', usage: usageOf(c.usage) });
  });
});
