// The alert webhook in workerd: the same events POSTed as small JSON, once per subject per minute, never a secret, never in the way.
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureLines, eventsOf, until } from './event-lines.ts';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

const WEBHOOK = 'https://hooks.test/services/T000/B000/webhook-secret-5c7a91e2';
const ADMIN = 'admin-token-for-alerts-3f9d';
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;

interface Post {
  url: string;
  body: Record<string, unknown>;
  text: string;
}

/** Replaces the global fetch (the webhook's; vendors go through the harness's mock) and records what is posted. */
function webhook(answer: () => Promise<Response> = async () => new Response('ok')): Post[] {
  const posts: Post[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const text = String(init?.body ?? '');
    posts.push({ url: String(input instanceof Request ? input.url : input), body: JSON.parse(text) as Record<string, unknown>, text });
    return answer();
  });
  return posts;
}

beforeEach(() => {
  captureLines();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const secrets = [KEYS.MOCK_A_KEY, KEYS.MOCK_B_KEY, WEBHOOK, ADMIN];
const withWebhook = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  proxyWith(config, { ...KEYS, ALERT_WEBHOOK_URL: WEBHOOK, PROXY_ADMIN_TOKEN: ADMIN, BREAKER: env.BREAKER, ...extra });

describe('the alert webhook', () => {
  it('receives a rejected key as Slack-compatible text plus the structured event, without any secret', async () => {
    const posts = webhook();
    const id = unique('refused');
    const proxy = withWebhook(configFor([{ id, scenario: 'status=401,code=invalid_api_key' }, { scenario: '' }]));
    expect((await proxy.chat(hello())).status).toBe(200);
    await proxy.settle();
    await until(() => posts.length > 0);
    expect(posts).toHaveLength(1);
    const post = posts[0] as Post;
    expect(post.url).toBe(WEBHOOK);
    expect(post.body).toMatchObject({
      text: `LLM proxy: Provider "${id}" rejected key #1 of 1 (MOCK_A_KEY): http:401:invalid_api_key. Its targets are skipped until the key works.`,
      event: 'key_rejected',
      subject: `key:${id}:1`,
      severity: 'error',
      suppressed: 0,
      fields: {
        provider: id,
        key: { position: 1, pool: 1 },
        keyEnv: 'MOCK_A_KEY',
        status: 401,
        reason: 'auth',
        error: 'http:401:invalid_api_key',
      },
    });
    for (const secret of secrets) expect(post.text).not.toContain(secret);
  });

  it('sends at most one alert per subject per minute, and counts what it held back', async () => {
    const posts = webhook();
    const id = unique('again');
    const proxy = withWebhook(configFor([{ id, scenario: 'status=401' }, { scenario: '' }]));
    for (let i = 0; i < 4; i++) {
      expect((await proxy.chat(hello())).status).toBe(200);
      await proxy.settle();
    }
    await until(() => posts.length > 0);
    expect(posts.filter((p) => p.body.subject === `key:${id}:1`)).toHaveLength(1);
  });

  it('receives a breaker that opened, and what an admin forced', async () => {
    const posts = webhook();
    const [dead, forced] = [unique('dead'), unique('forced')];
    const config = configFor(
      [
        { id: dead, scenario: 'status=503', extra: { retry: { maxRetries: 0 } } },
        { id: forced, scenario: '' },
      ],
      { breaker: { consecutiveFailures: 2, minCalls: 50, openMs: 60_000 } },
    );
    const proxy = withWebhook(config);
    for (let i = 0; i < 3; i++) {
      await (await proxy.chat(hello())).text();
      await proxy.settle();
    }
    await proxy.request(`/admin/breakers/${forced}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'open' }),
    });
    await proxy.settle();
    await until(() => posts.length >= 2);
    expect(posts.map((p) => [p.body.subject, p.body.severity])).toEqual([
      [`breaker:${dead}:open`, 'warning'],
      [`breaker:${forced}:open`, 'warning'],
    ]);
    expect(String(posts[0]?.body.text)).toMatch(new RegExp(`^LLM proxy: Breaker of provider "${dead}" opened: 2 consecutive failures`));
    for (const post of posts) for (const secret of secrets) expect(post.text).not.toContain(secret);
  });

  it('receives an invalid config, at the webhook the invalid config itself names', async () => {
    const posts = webhook();
    const proxy = proxyWith(
      { providers: {}, models: {}, cache: { ttlSeconds: 0 }, alerts: { webhookEnv: 'OPS_HOOK' } },
      { OPS_HOOK: WEBHOOK },
    );
    expect((await proxy.request('/healthz')).status).toBe(503);
    await proxy.settle();
    await until(() => posts.length > 0);
    expect(posts[0]?.body).toMatchObject({
      event: 'config_invalid',
      subject: 'config',
      fields: { issues: [expect.stringMatching(/^cache\.ttlSeconds: /)] },
    });
  });

  it('never holds up or fails a request when the webhook is down, and logs why without its URL', async () => {
    const lines = captureLines();
    webhook(() => Promise.reject(new TypeError('Network connection lost.')));
    const id = unique('down');
    const proxy = withWebhook(configFor([{ id, scenario: 'status=403' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-source')).toBe('provider');
    await proxy.settle();
    await until(() => lines.some((l) => l.msg === 'alert webhook unreachable'));
    expect(lines.find((l) => l.msg === 'alert webhook unreachable')).toEqual({
      level: 'warn',
      msg: 'alert webhook unreachable',
      event: 'key_rejected',
      subject: `key:${id}:1`,
      error: 'TypeError',
    });
    expect(JSON.stringify(lines)).not.toContain(WEBHOOK);
  });

  it('logs a webhook that answers with an error status', async () => {
    const lines = captureLines();
    webhook(async () => new Response('no', { status: 404 }));
    const id = unique('gone');
    const proxy = withWebhook(configFor([{ id, scenario: 'status=401' }, { scenario: '' }]));
    expect((await proxy.chat(hello())).status).toBe(200);
    await proxy.settle();
    await until(() => lines.some((l) => l.msg === 'alert webhook refused the alert'));
    expect(lines.find((l) => l.msg === 'alert webhook refused the alert')).toMatchObject({ status: 404, subject: `key:${id}:1` });
  });

  it('posts nothing while the webhook secret is unset, and still writes the event line', async () => {
    const lines = captureLines();
    const posts = webhook();
    const proxy = proxyWith(configFor([{ scenario: 'status=401' }, { scenario: '' }]));
    expect((await proxy.chat(hello())).status).toBe(200);
    await proxy.settle();
    expect(eventsOf(lines, 'key_rejected')).toHaveLength(1);
    expect(posts).toEqual([]);
  });
});
