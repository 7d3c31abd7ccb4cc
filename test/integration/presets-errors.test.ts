// Vendor error bodies as recorded: each preset's peculiar shape is classified right and never echoed verbatim.
import { describe, expect, it } from 'vitest';
import { fakeVendors, jsonReply } from '../fixtures/presets/fake-vendor.ts';
import { BACKUP_URL, callPreset, helloBody, PRESET_KEYS } from '../fixtures/presets/preset-proxy.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';

const BACKUP = `${BACKUP_URL}/chat/completions`;
const backupAnswer = jsonReply(RECORDED.openai.completion);

interface ErrorCase {
  preset: string;
  url: string;
  model: string;
  body: string;
  status: number;
  headers?: Record<string, string>;
}

/** Runs one non-streaming request against a vendor answering `c.body`, with the backup behind it. */
async function failOver(c: ErrorCase) {
  const endpoint = `${c.url}/chat/completions`;
  const vendors = fakeVendors({ [endpoint]: [jsonReply(c.body, c.status, c.headers)], [BACKUP]: [backupAnswer] });
  const result = await callPreset({ preset: c.preset, model: c.model, vendors, body: helloBody(), withBackup: true });
  return { ...result, vendorCalls: vendors.callsTo(endpoint).length, backupCalls: vendors.callsTo(BACKUP).length };
}

const attemptsOf = (log: { attempts: { provider: string; status: number | null }[] } | undefined) =>
  log?.attempts.map((a) => [a.provider, a.status]);

describe('vendor errors that fall over to the next target at once', () => {
  it.each<ErrorCase & { why: string }>([
    {
      why: 'OpenAI out of quota (429 insufficient_quota)',
      preset: 'openai',
      url: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      body: RECORDED.openai.error429InsufficientQuota,
      status: 429,
    },
    {
      why: 'DeepSeek out of balance (402)',
      preset: 'deepseek',
      url: 'https://api.deepseek.com/v1',
      model: 'deepseek-chat',
      body: RECORDED.deepseek.error402InsufficientBalance,
      status: 402,
    },
    {
      why: 'Zhipu out of balance (429 with business code 1113)',
      preset: 'zhipu',
      url: 'https://open.bigmodel.cn/api/paas/v4',
      model: 'glm-4.6',
      body: RECORDED.zhipu.error429Balance,
      status: 429,
    },
    {
      why: 'Moonshot out of quota (429 exceeded_current_quota_error)',
      preset: 'moonshot',
      url: 'https://api.moonshot.cn/v1',
      model: 'moonshot-v1-8k',
      body: RECORDED.moonshot.error429Quota,
      status: 429,
    },
    {
      why: "Gemini's array-wrapped 429 RESOURCE_EXHAUSTED",
      preset: 'gemini',
      url: 'https://generativelanguage.googleapis.com/v1beta/openai',
      model: 'gemini-2.5-flash',
      body: RECORDED.gemini.error429Quota,
      status: 429,
    },
    {
      why: "Groq's rate limit with a Retry-After far past the wait budget",
      preset: 'groq',
      url: 'https://api.groq.com/openai/v1',
      model: 'llama-3.3-70b-versatile',
      body: RECORDED.groq.error429RateLimit,
      status: 429,
      headers: { 'retry-after': '578' },
    },
    {
      why: "DeerAPI's new-api 403 insufficient_user_quota",
      preset: 'deerapi',
      url: 'https://api.deerapi.com/v1',
      model: 'gpt-4o-mini',
      body: RECORDED.deerapi.error403InsufficientQuota,
      status: 403,
    },
    {
      why: "Ollama's 404 for a model not pulled",
      preset: 'ollama',
      url: 'http://127.0.0.1:11434/v1',
      model: 'qwen3:8b',
      body: RECORDED.ollama.error404ModelNotFound,
      status: 404,
    },
  ])('skips to the next target without a retry on $why', async (c) => {
    const { res, text, log, lines, vendorCalls, backupCalls } = await failOver(c);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('backup');
    expect([vendorCalls, backupCalls]).toEqual([1, 1]);
    expect(attemptsOf(log)).toEqual([
      [c.preset, c.status],
      ['backup', 200],
    ]);
    expect(text).toBe(RECORDED.openai.completion);
    expect(lines.join('\n')).not.toContain(c.body.trim());
  });

  it.each<ErrorCase & { why: string }>([
    {
      why: "CometAPI's new-api 503 with no channel left",
      preset: 'cometapi',
      url: 'https://api.cometapi.com/v1',
      model: 'claude-sonnet-4-5-20250929',
      body: RECORDED.cometapi.error503NoChannel,
      status: 503,
    },
    {
      why: "OpenRouter's 429 relaying a provider error",
      preset: 'openrouter',
      url: 'https://openrouter.ai/api/v1',
      model: 'z-ai/glm-4.5',
      body: RECORDED.openrouter.error429ProviderReturnedError,
      status: 429,
    },
  ])('retries once, then falls over, on $why', async (c) => {
    const { res, log, vendorCalls, backupCalls } = await failOver(c);
    expect(res.headers.get('x-proxy-provider')).toBe('backup');
    expect([vendorCalls, backupCalls]).toEqual([2, 1]);
    expect(attemptsOf(log)).toEqual([
      [c.preset, c.status],
      [c.preset, c.status],
      ['backup', 200],
    ]);
  });
});

describe('vendor errors that are terminal', () => {
  it.each<ErrorCase & { why: string; code: string }>([
    {
      why: "DashScope's data_inspection_failed content filter",
      preset: 'qwen',
      url: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
      model: 'qwen-plus',
      body: RECORDED.qwen.error400DataInspectionFailed,
      status: 400,
      code: 'content_policy_violation',
    },
    {
      why: "Zhipu's 1301 sensitive-content rejection",
      preset: 'zhipu',
      url: 'https://open.bigmodel.cn/api/paas/v4',
      model: 'glm-4.6',
      body: RECORDED.zhipu.error400Sensitive,
      status: 400,
      code: 'content_policy_violation',
    },
    {
      why: "Gemini's array-wrapped 400 INVALID_ARGUMENT",
      preset: 'gemini',
      url: 'https://generativelanguage.googleapis.com/v1beta/openai',
      model: 'gemini-2.5-flash',
      body: RECORDED.gemini.error400InvalidArgument,
      status: 400,
      code: '400',
    },
    {
      why: "Mistral's 422 extra_forbidden",
      preset: 'mistral',
      url: 'https://api.mistral.ai/v1',
      model: 'mistral-small-latest',
      body: RECORDED.mistral.error422StreamOptions,
      status: 422,
      code: 'invalid_request',
    },
  ])('answers $why to the caller without trying the next target', async (c) => {
    const { res, text, vendorCalls, backupCalls } = await failOver(c);
    expect(res.status).toBe(c.status);
    expect([vendorCalls, backupCalls]).toEqual([1, 0]);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(c.code);
    expect(body.error.message).toContain(`Provider "${c.preset}" rejected the request`);
    expect(text).not.toContain(c.body.trim());
    for (const inner of ['request_id', '@type', 'fieldViolations', 'extra_forbidden']) expect(text).not.toContain(inner);
  });

  it("never shows OpenRouter's relayed raw provider body, in the answer or the log", async () => {
    const url = 'https://openrouter.ai/api/v1/chat/completions';
    const vendors = fakeVendors({ [url]: [jsonReply(RECORDED.openrouter.error429ProviderReturnedError, 429)] });
    const config = { degraded: { enabled: false } };
    const { res, text, lines } = await callPreset({ preset: 'openrouter', model: 'z-ai/glm-4.5', vendors, body: helloBody(), config });
    expect(res.status).toBe(503);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('all_targets_failed');
    for (const out of [text, ...lines]) {
      expect(out).not.toContain('temporarily rate-limited upstream');
      expect(out).not.toContain('user_2yQX8mDq0r7P1o4Zk3bVnA6sHcE');
      expect(out).not.toContain(PRESET_KEYS.OPENROUTER_API_KEY);
    }
  });
});

describe('key refusals sent as a 400', () => {
  // These vendors refuse a bad key with a 400, not a 401. SPEC: provider-side auth errors skip the target.
  it.each<ErrorCase & { why: string }>([
    {
      why: "xAI's 400 Incorrect API key",
      preset: 'xai',
      url: 'https://api.x.ai/v1',
      model: 'grok-3-mini',
      body: RECORDED.xai.error400IncorrectApiKey,
      status: 400,
    },
    {
      why: "Gemini's 400 API_KEY_INVALID",
      preset: 'gemini',
      url: 'https://generativelanguage.googleapis.com/v1beta/openai',
      model: 'gemini-2.5-flash',
      body: RECORDED.gemini.error400ApiKeyInvalid,
      status: 400,
    },
  ])('skips the target on $why', async (c) => {
    const { res, backupCalls } = await failOver(c);
    expect(res.headers.get('x-proxy-provider')).toBe('backup');
    expect(backupCalls).toBe(1);
  });
});
