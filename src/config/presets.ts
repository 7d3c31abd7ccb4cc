// Vendor presets: protocol, base URL, key env name and continuation support for each known vendor.

/** Wire protocol a provider speaks. OpenAI-compatible vendors are configuration, not code. */
export type Protocol = 'openai' | 'anthropic';

/** What a preset fills in for a provider that names it. */
export interface Preset {
  protocol: Protocol;
  baseUrl: string;
  /** Env var holding the key when the provider does not name one; absent means no key is needed. */
  apiKeyEnv?: string;
  /** The vendor continues a trailing assistant message (stream rescue). */
  prefill: boolean;
  /** The vendor refuses `stream_options` (it reports usage on its last chunk unasked). */
  noStreamOptions?: true;
  /**
   * How the vendor is asked to continue an assistant prefix, when not by a plain trailing
   * assistant message: DeepSeek wants `prefix: true` on it, at its `/beta` base URL.
   */
  prefixStyle?: 'deepseek';
  /**
   * The Chat Completions field the proxy sets as the output limit when a request names none: OpenAI's
   * reasoning models refuse `max_tokens` and take `max_completion_tokens`; other vendors take `max_tokens`.
   */
  outputLimitField?: 'max_completion_tokens';
  /** The vendor serves the OpenAI Responses API (`/responses`): Responses callers are passed through to it. */
  responses?: true;
}

/** Every preset. `baseUrl` in a provider overrides these. */
export const PRESETS = {
  openai: {
    protocol: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    prefill: false,
    outputLimitField: 'max_completion_tokens',
    responses: true,
  },
  anthropic: { protocol: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', apiKeyEnv: 'ANTHROPIC_API_KEY', prefill: true },
  deepseek: {
    protocol: 'openai',
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    prefill: true,
    prefixStyle: 'deepseek',
  },
  qwen: {
    protocol: 'openai',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    apiKeyEnv: 'DASHSCOPE_API_KEY',
    prefill: false,
  },
  zhipu: { protocol: 'openai', baseUrl: 'https://open.bigmodel.cn/api/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY', prefill: false },
  moonshot: { protocol: 'openai', baseUrl: 'https://api.moonshot.cn/v1', apiKeyEnv: 'MOONSHOT_API_KEY', prefill: false },
  gemini: {
    protocol: 'openai',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    apiKeyEnv: 'GEMINI_API_KEY',
    prefill: false,
  },
  openrouter: { protocol: 'openai', baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY', prefill: false },
  deerapi: { protocol: 'openai', baseUrl: 'https://api.deerapi.com/v1', apiKeyEnv: 'DEERAPI_API_KEY', prefill: false },
  cometapi: { protocol: 'openai', baseUrl: 'https://api.cometapi.com/v1', apiKeyEnv: 'COMETAPI_API_KEY', prefill: false },
  groq: { protocol: 'openai', baseUrl: 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY', prefill: false },
  mistral: {
    protocol: 'openai',
    baseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    prefill: false,
    noStreamOptions: true,
  },
  xai: { protocol: 'openai', baseUrl: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY', prefill: false },
  ollama: { protocol: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', prefill: true },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** Preset names, for the config schema's enum. */
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
