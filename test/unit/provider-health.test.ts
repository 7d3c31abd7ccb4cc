// The status page's verdict per provider: never "healthy" without a usable key; what an outcome tells the breaker.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/breaker/policy.ts';
import type { ResolvedProvider } from '../../src/config/load.ts';
import type { UpstreamFailure } from '../../src/pipeline/fallback.ts';
import { classify } from '../../src/pipeline/fallback.ts';
import { breakerEvent, keyRejection } from '../../src/pipeline/outcome.ts';
import { describeProvider, type Health, healthOf, type KeyStatus, keyStatus } from '../../src/routes/breaker-status.ts';

const key = (state: KeyStatus['state'], env: string | null, rejected: KeyStatus['rejected']): KeyStatus => ({
  state,
  env,
  pool: env === null ? 0 : 1,
  missing: state === 'missing' ? [1] : [],
  rejected,
  setAside: [],
});
const present = key('present', 'K', null);
type Figures = Parameters<typeof healthOf>[0];
const figures: Figures = { state: 'closed', key: present, recentCalls: 10, successRate: 1, failureRate: 0 };
const rejection = { position: 1, pool: 1, status: 401, at: 5 };

describe('healthOf', () => {
  it.each<[string, Partial<Figures>, Health]>([
    ['a closed breaker with only successes', {}, 'healthy'],
    ['a closed breaker with some failures', { successRate: 0.9 }, 'degraded'],
    ['a closed breaker with failures in its window', { failureRate: 0.2 }, 'degraded'],
    ['a provider no one called yet', { recentCalls: 0, successRate: null }, 'idle'],
    ['an open breaker', { state: 'open' }, 'down'],
    ['a half-open breaker', { state: 'half_open' }, 'probing'],
    ['a breaker whose object did not answer', { state: 'unknown' }, 'unknown'],
    ['a missing key, whatever the breaker says', { key: key('missing', 'K', null) }, 'no_key'],
    ['a key the vendor rejected, whatever the breaker says', { key: key('rejected', 'K', rejection) }, 'key_rejected'],
    ['a provider without a key that the vendor refused', { key: key('none_needed', null, rejection) }, 'key_rejected'],
    ['a provider that needs no key', { key: key('none_needed', null, null) }, 'healthy'],
  ])('calls %s %s', (_name, overrides, health) => {
    expect(healthOf({ ...figures, ...overrides })).toBe(health);
  });
});

const provider = (apiKeyEnv: string | undefined): ResolvedProvider => ({
  id: 'p',
  protocol: 'openai',
  baseUrl: 'http://x/v1',
  keyEnvs: apiKeyEnv === undefined ? [] : [apiKeyEnv],
  headers: {},
  prefill: false,
  streamOptions: true,
  prefixStyle: 'trailing',
  outputLimitField: 'max_tokens',
  responses: false,
});

describe('keyStatus and describeProvider', () => {
  it.each<[string, string | undefined, object, KeyStatus['state'], boolean]>([
    ['a key set in the env', 'K', { K: 'sk-1' }, 'present', true],
    ['a key missing from the env', 'K', {}, 'missing', false],
    ['an empty key', 'K', { K: '' }, 'missing', false],
    ['no key needed', undefined, {}, 'none_needed', true],
  ])('shows %s', (_name, env, values, state, usable) => {
    expect(keyStatus(provider(env), values, initialState()).state).toBe(state);
    expect(describeProvider(provider(env), initialState(), [], values, 0).usable).toBe(usable);
  });

  it('names the missing keys of a pool by position, and shows the pool usable while one key is set', () => {
    const pool = { ...provider('K1'), keyEnvs: ['K1', 'K2', 'K3'] };
    expect(keyStatus(pool, { K2: 'sk-2' }, initialState())).toMatchObject({
      state: 'present',
      env: 'K1, K2, K3',
      pool: 3,
      missing: [1, 3],
    });
    expect(describeProvider(pool, initialState(), [], { K2: 'sk-2' }, 0).usable).toBe(true);
    expect(keyStatus(pool, {}, initialState()).state).toBe('missing');
  });

  it('shows a key the vendor rejected as not usable until a success clears it', () => {
    const status = describeProvider(provider('K'), { ...initialState(), keyRejected: rejection }, ['chat'], { K: 'sk-1' }, 10);
    expect(status).toMatchObject({ health: 'key_rejected', usable: false, key: { state: 'rejected', env: 'K', rejected: rejection } });
  });
});

const http = (status: number, code = ''): UpstreamFailure => ({
  kind: 'http',
  status,
  code,
  type: '',
  message: '',
  retryAfterMs: undefined,
});

describe('keyRejection', () => {
  it.each<[UpstreamFailure, 'auth' | 'quota' | undefined]>([
    [http(401), 'auth'],
    [http(403), 'auth'],
    [{ kind: 'http', status: 400, code: '', type: '', message: 'Incorrect API key provided', retryAfterMs: undefined }, 'auth'],
    [http(402), 'quota'],
    [http(429, 'insufficient_quota'), 'quota'],
    [http(429, 'rate_limit_exceeded'), undefined],
    [http(404, 'model_not_found'), undefined],
    [http(503), undefined],
    [{ kind: 'network', message: 'Network connection lost.' }, undefined],
  ])('reads %j as %s', (failure, reason) => {
    expect(keyRejection(failure, classify(failure))).toBe(reason);
  });
});

describe('breakerEvent', () => {
  it.each([
    ['a whole answer', { kind: 'answered', ms: 120 } as const, { type: 'success', ms: 120 }],
    [
      'a stream that ended well, with its time to first token',
      { kind: 'answered', ms: 900, ttftMs: 80 } as const,
      { type: 'success', ms: 900, ttfts: [80] },
    ],
    ['a stream it continued for another', { kind: 'answered', ms: 900, rescuer: 1 } as const, { type: 'success', ms: 900, rescuer: 1 }],
    [
      'a broken stream another target continued',
      { kind: 'broke', code: 'stream_interrupted', ms: 300, ttftMs: 50, rescued: true } as const,
      { type: 'failure', ms: 300, kind: 'stream:stream_interrupted', ttfts: [50], rescued: true },
    ],
    [
      'a rejected key',
      { kind: 'failed', failure: http(401, 'invalid_api_key'), ms: 9, key: { position: 1, pool: 1 } } as const,
      { type: 'failure', ms: 9, kind: 'http:401:invalid_api_key', key: { position: 1, pool: 1, status: 401 } },
    ],
    ["a refused request (not the provider's fault)", { kind: 'failed', failure: http(400), ms: 9 } as const, { type: 'neutral' }],
    ['a client that went away', { kind: 'gone' } as const, { type: 'neutral' }],
  ])('reports %s', (_name, outcome, event) => {
    expect(breakerEvent(outcome)).toEqual(event);
  });
});
