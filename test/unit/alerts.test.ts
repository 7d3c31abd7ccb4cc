// Event lines and alert payloads: their exact shape, the subjects, and the once-a-minute rule.
import { describe, expect, it } from 'vitest';
import { AlertThrottle, alertPayload, alertTarget, subjectOf } from '../../src/observability/alerts.ts';
import { eventLine, type ProxyEvent } from '../../src/observability/events.ts';

const AT = Date.UTC(2026, 11, 3, 12, 0, 0);

const opened: ProxyEvent = {
  event: 'breaker_state',
  provider: 'deepseek',
  from: 'closed',
  to: 'open',
  why: '5 consecutive failures (last: http:503); open for 15 s',
  nextProbeAt: AT + 15_000,
};
const rejected: ProxyEvent = {
  event: 'key_rejected',
  provider: 'deepseek',
  key: { position: 1, pool: 1 },
  keyEnv: 'DEEPSEEK_API_KEY',
  status: 401,
  reason: 'auth',
  error: 'http:401:invalid_api_key',
  requestId: 'req-1',
};
const invalid: ProxyEvent = {
  event: 'config_invalid',
  issues: ['retry.idleTimeoutMs: Too small: expected number to be >0', 'models: Invalid input'],
};
const spent: ProxyEvent = { event: 'budget_exhausted', client: 'web', over: 'usd', limit: 5, used: 5.0123, resetsAt: AT + 12 * 3_600_000 };

describe('eventLine', () => {
  it.each<[string, ProxyEvent, Record<string, unknown>]>([
    [
      'a breaker that opened',
      opened,
      {
        level: 'warn',
        msg: 'breaker state changed',
        event: 'breaker_state',
        provider: 'deepseek',
        from: 'closed',
        to: 'open',
        why: '5 consecutive failures (last: http:503); open for 15 s',
        nextProbeAt: '2026-12-03T12:00:15.000Z',
      },
    ],
    [
      'a breaker that closed',
      { event: 'breaker_state', provider: 'p', from: 'half_open', to: 'closed', why: 'a probe succeeded' },
      {
        level: 'info',
        msg: 'breaker state changed',
        event: 'breaker_state',
        provider: 'p',
        from: 'half_open',
        to: 'closed',
        why: 'a probe succeeded',
      },
    ],
    [
      'a rejected key',
      rejected,
      {
        level: 'error',
        msg: 'vendor rejected a key',
        event: 'key_rejected',
        category: 'configuration',
        provider: 'deepseek',
        key: '#1 of 1',
        keyPosition: 1,
        keyPoolSize: 1,
        keyEnv: 'DEEPSEEK_API_KEY',
        status: 401,
        reason: 'auth',
        error: 'http:401:invalid_api_key',
        requestId: 'req-1',
      },
    ],
    [
      'a call without a key refused',
      { ...rejected, key: null, keyEnv: null },
      { key: 'none', keyPosition: null, keyPoolSize: 0, keyEnv: null },
    ],
    ['an invalid config', invalid, { level: 'error', msg: 'PROXY_CONFIG is invalid', event: 'config_invalid', issues: invalid.issues }],
    [
      'a budget exhausted',
      spent,
      {
        level: 'warn',
        msg: 'daily budget exhausted',
        event: 'budget_exhausted',
        client: 'web',
        over: 'usd',
        limit: 5,
        used: 5.0123,
        resetsAt: '2026-12-04T00:00:00.000Z',
      },
    ],
  ])('writes %s as its own line', (_name, event, line) => {
    expect(eventLine(event)).toMatchObject(line);
  });
});

describe('alertPayload', () => {
  it('is Slack-compatible text plus the structured event', () => {
    expect(alertPayload(opened, AT, 2)).toEqual({
      text: 'LLM proxy: Breaker of provider "deepseek" opened: 5 consecutive failures (last: http:503); open for 15 s. Next probe at 12:00:15 UTC.',
      event: 'breaker_state',
      subject: 'breaker:deepseek:open',
      severity: 'warning',
      at: '2026-12-03T12:00:00.000Z',
      suppressed: 2,
      fields: {
        provider: 'deepseek',
        from: 'closed',
        to: 'open',
        why: '5 consecutive failures (last: http:503); open for 15 s',
        nextProbeAt: '2026-12-03T12:00:15.000Z',
      },
    });
  });

  it.each<[string, ProxyEvent, string, string]>([
    [
      'a rejected key',
      rejected,
      'error',
      'LLM proxy: Provider "deepseek" rejected key #1 of 1 (DEEPSEEK_API_KEY): http:401:invalid_api_key. Its targets are skipped until the key works.',
    ],
    [
      'an invalid config',
      invalid,
      'error',
      'LLM proxy: PROXY_CONFIG is invalid: retry.idleTimeoutMs: Too small: expected number to be >0; models: Invalid input. Model routes answer 500 and /healthz 503 until it is fixed.',
    ],
    [
      'a budget exhausted',
      spent,
      'warning',
      'LLM proxy: Client "web" used its daily budget of $5.00 ($5.01); it is refused until 00:00:00 UTC.',
    ],
  ])('says in words %s', (_name, event, severity, text) => {
    expect(alertPayload(event, AT, 0)).toMatchObject({ severity, text });
  });
});

describe('subjectOf', () => {
  it.each<[ProxyEvent, string]>([
    [opened, 'breaker:deepseek:open'],
    [{ ...opened, to: 'closed', from: 'half_open' }, 'breaker:deepseek:closed'],
    [rejected, 'key:deepseek:1'],
    [{ ...rejected, key: null }, 'key:deepseek:0'],
    [invalid, 'config'],
    [spent, 'budget:web'],
  ])('groups %j under %s', (event, subject) => {
    expect(subjectOf(event)).toBe(subject);
  });
});

describe('AlertThrottle', () => {
  it('sends one alert per subject per minute and counts the ones it held back', () => {
    const throttle = new AlertThrottle(60_000);
    expect(throttle.take('a', 0)).toEqual({ send: true, suppressed: 0 });
    expect(throttle.take('a', 1_000)).toEqual({ send: false, suppressed: 0 });
    expect(throttle.take('b', 1_000)).toEqual({ send: true, suppressed: 0 });
    expect(throttle.take('a', 59_999)).toEqual({ send: false, suppressed: 0 });
    expect(throttle.take('a', 60_000)).toEqual({ send: true, suppressed: 2 });
    expect(throttle.take('a', 60_001)).toEqual({ send: false, suppressed: 0 });
  });
});

describe('alertTarget', () => {
  it.each([
    [{ ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' }, { url: 'https://hooks.slack.com/services/T/B/x' }],
    [{ ALERT_WEBHOOK_URL: '' }, undefined],
    [{ ALERT_WEBHOOK_URL: 'not a url' }, undefined],
    [{}, undefined],
  ])('reads the webhook from %j', (env, target) => {
    expect(alertTarget('ALERT_WEBHOOK_URL', env)).toEqual(target);
  });
});
