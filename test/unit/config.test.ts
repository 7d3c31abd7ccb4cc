import { describe, expect, it } from 'vitest';
import { keyValues, loadConfig, missingKeys, parseConfig } from '../../src/config/load.ts';
import { PRESET_NAMES, PRESETS } from '../../src/config/presets.ts';

const minimal = {
  providers: { ds: { preset: 'deepseek' }, local: { protocol: 'openai', baseUrl: 'http://127.0.0.1:11434/v1/' } },
  models: {
    chat: {
      targets: [
        { provider: 'ds', model: 'deepseek-chat', retry: { maxRetries: 0 } },
        { provider: 'local', model: 'llama3' },
      ],
    },
  },
};

describe('parseConfig', () => {
  it('fills every default of SPEC section 3', () => {
    const result = parseConfig(minimal);
    if (!result.ok) throw new Error(result.issues.join('\n'));
    const raw = result.config.raw;
    expect(raw.retry).toEqual({
      maxRetries: 2,
      baseDelayMs: 250,
      maxDelayMs: 4000,
      maxRetryWaitMs: 2000,
      connectTimeoutMs: 5000,
      firstTokenTimeoutMs: 10000,
      idleTimeoutMs: 15000,
      attemptTimeoutMs: 120000,
      deadlineMs: 100000,
      streamRecovery: 'continue',
    });
    expect(raw.breaker).toEqual({
      windowSize: 20,
      minCalls: 5,
      failureRate: 0.5,
      consecutiveFailures: 5,
      openMs: 15000,
      openBackoff: 1,
      maxOpenMs: 120000,
      halfOpenProbes: 1,
    });
    expect(raw.cache).toEqual({ enabled: true, ttlSeconds: 3600, minTtlSeconds: 60, maxTtlSeconds: 604800, staleIfErrorSeconds: 86400 });
    expect(raw.limits).toEqual({ maxBodyBytes: 1048576, maxMessages: 256, maxTokens: 8192, ipRpm: 0 });
    expect(raw.auth.mode).toBe('none');
    expect(raw.auth.jwtSecretEnv).toBe('PROXY_JWT_SECRET');
    expect(raw.status.public).toBe(false);
    expect(raw.degraded.enabled).toBe(true);
  });

  it('applies the preset and lets baseUrl override it', () => {
    const result = parseConfig({
      ...minimal,
      providers: { ...minimal.providers, ds: { preset: 'deepseek', baseUrl: 'http://127.0.0.1:9/x/' } },
    });
    if (!result.ok) throw new Error(result.issues.join('\n'));
    expect(result.config.providers.get('ds')).toMatchObject({
      protocol: 'openai',
      baseUrl: 'http://127.0.0.1:9/x',
      keyEnvs: ['DEEPSEEK_API_KEY'],
      prefill: true,
    });
  });

  it('merges a target retry override over the global retry options', () => {
    const result = parseConfig(minimal);
    if (!result.ok) throw new Error('invalid');
    const [first, second] = result.config.models.get('chat') ?? [];
    expect(first?.retry.maxRetries).toBe(0);
    expect(first?.retry.deadlineMs).toBe(100000);
    expect(second?.retry.maxRetries).toBe(2);
    expect(second?.provider.baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(second?.provider.keyEnvs).toEqual([]);
  });

  it.each(PRESET_NAMES)('accepts the %s preset', (preset) => {
    const result = parseConfig({ providers: { p: { preset } }, models: { m: { targets: [{ provider: 'p', model: 'x' }] } } });
    expect(result.ok).toBe(true);
    expect(PRESETS[preset].baseUrl).toMatch(/^https?:\/\//);
  });

  it.each([
    ['a typo in a key', { ...minimal, retyr: {} }, '(root)'],
    ['a provider without preset or baseUrl', { ...minimal, providers: { ...minimal.providers, x: { protocol: 'openai' } } }, 'providers.x'],
    ['an unknown preset', { ...minimal, providers: { ...minimal.providers, x: { preset: 'foo' } } }, 'providers.x.preset'],
    [
      'a bad apiKeyEnv',
      { ...minimal, providers: { ...minimal.providers, x: { preset: 'openai', apiKeyEnv: 'sk-123' } } },
      'providers.x.apiKeyEnv',
    ],
    ['an empty target list', { ...minimal, models: { chat: { targets: [] } } }, 'models.chat.targets'],
    [
      'a target naming no provider',
      { ...minimal, models: { chat: { targets: [{ provider: 'nope', model: 'x' }] } } },
      'models.chat.targets.0.provider',
    ],
    ['a negative timeout', { ...minimal, retry: { idleTimeoutMs: -5 } }, 'retry.idleTimeoutMs'],
    ['a cache TTL of zero', { ...minimal, cache: { ttlSeconds: 0 } }, 'cache.ttlSeconds'],
    ['a bad client key hash', { ...minimal, auth: { keys: [{ name: 'web', sha256: 'abc' }] } }, 'auth.keys.0.sha256'],
  ])('rejects %s, naming the path', (_name, config, path) => {
    const result = parseConfig(config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((issue) => issue.startsWith(path))).toBe(true);
  });

  it('reads a JSON string as well as an object', () => {
    expect(parseConfig(JSON.stringify(minimal)).ok).toBe(true);
    expect(parseConfig('{oops').ok).toBe(false);
    expect(parseConfig(undefined)).toEqual({ ok: false, issues: ['PROXY_CONFIG: is not set'] });
  });
});

describe('loadConfig', () => {
  it('parses once per value and returns the same resolved config after', () => {
    const text = JSON.stringify(minimal);
    const first = loadConfig(text);
    expect(loadConfig(text)).toBe(first);
    expect(loadConfig(`${text} `)).not.toBe(first);
  });

  it('returns the cached config for an equal object that is a new copy', () => {
    const first = loadConfig(structuredClone(minimal));
    expect(loadConfig(structuredClone(minimal))).toBe(first);
  });
});

describe('provider keys', () => {
  const result = parseConfig(minimal);
  if (!result.ok) throw new Error('invalid');
  const config = result.config;

  it('reads a key by its env name and treats an empty one as missing', () => {
    const ds = config.providers.get('ds');
    if (ds === undefined) throw new Error('no ds');
    expect(keyValues({ DEEPSEEK_API_KEY: 'k' }, ds)).toEqual(['k']);
    expect(keyValues({ DEEPSEEK_API_KEY: '' }, ds)).toEqual([undefined]);
  });

  it('reads a key pool in order, a list of env names', () => {
    const pooled = parseConfig({
      providers: { p: { preset: 'openai', apiKeyEnv: ['K1', 'K2', 'K1'] } },
      models: { m: { targets: [{ provider: 'p', model: 'x' }] } },
    });
    if (!pooled.ok) throw new Error(pooled.issues.join('; '));
    const p = pooled.config.providers.get('p');
    if (p === undefined) throw new Error('no p');
    expect(p.keyEnvs).toEqual(['K1', 'K2']);
    expect(keyValues({ K2: 'b' }, p)).toEqual([undefined, 'b']);
    expect(pooled.config.keyEnvs).toEqual(['K1', 'K2']);
  });

  it('lists the env names of missing keys', () => {
    expect(missingKeys({}, config)).toEqual(['DEEPSEEK_API_KEY']);
    expect(missingKeys({ DEEPSEEK_API_KEY: 'k' }, config)).toEqual([]);
  });
});
