// Events and alerts end to end: a `wrangler dev` of this file's own, the mock vendor, and a local receiver recording the webhook's posts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { logLines } from '../support/log-lines.ts';
import { freePort, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { E2E_RETRY, MOCK_KEY } from './config.ts';
import { logLineFor, wranglerOutput } from './observers.ts';
import { sdk } from './proxy-client.ts';
import { secret } from './recorder.ts';

const mockUrl = inject('mockUrl');
const ADMIN = secret('events e2e admin token', 'events-admin-token-0d93c1f7a2');
const CLIENT = secret('events e2e client key', 'sk-proxy-events-client-51b7e0');
const CAPPED = secret('events e2e capped client key', 'sk-proxy-events-capped-9a44d2');
const HOOK_PATH = '/services/T0E2E/B0E2E/hook-token-3be1c9d04f';

interface Post {
  path: string;
  body: Record<string, unknown>;
  text: string;
}

let receiver: Server;
const posts: Post[] = [];
let dev: WranglerDev;
let dir = '';
let log = '';
let webhookUrl = '';

/** A local receiver of the webhook's POSTs (a stand-in for Slack's incoming webhook). */
async function startReceiver(): Promise<number> {
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown>, text });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function config(deadPort: number): Promise<object> {
  const mock = (scenario: string) => ({ protocol: 'openai', baseUrl: `${mockUrl}/${scenario}/v1`, apiKeyEnv: 'MOCK_KEY' });
  return {
    providers: {
      'ev-refused': mock('key=a-key-the-vendor-expects,id=ev-refused'),
      'ev-dead': { protocol: 'openai', baseUrl: `http://127.0.0.1:${deadPort}/v1`, apiKeyEnv: 'MOCK_KEY' },
      'ev-fallback': mock('id=ev-fallback'),
    },
    models: {
      'ev-keyed': {
        targets: [
          { provider: 'ev-refused', model: 'm-refused' },
          { provider: 'ev-fallback', model: 'm-fallback' },
        ],
      },
      'ev-dead': {
        targets: [
          { provider: 'ev-dead', model: 'm-dead' },
          { provider: 'ev-fallback', model: 'm-fallback' },
        ],
      },
      'ev-budget': { targets: [{ provider: 'ev-fallback', model: 'm-fallback', pricing: { input: 1, output: 1 } }] },
    },
    retry: { ...E2E_RETRY, maxRetries: 0 },
    breaker: { consecutiveFailures: 2, minCalls: 50, openMs: 60_000, maxOpenMs: 60_000 },
    cache: { enabled: false },
    auth: {
      mode: 'keys',
      keys: [
        { name: 'ev-client', sha256: await sha256Hex(CLIENT) },
        { name: 'ev-capped', sha256: await sha256Hex(CAPPED), dailyTokens: 5 },
      ],
    },
    alerts: { webhookEnv: 'OPS_WEBHOOK_URL' },
  };
}

beforeAll(async () => {
  const port = await startReceiver();
  webhookUrl = secret('events e2e webhook URL', `http://127.0.0.1:${port}${HOOK_PATH}`);
  dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-events-'));
  const json = JSON.stringify(await config(await freePort()));
  if (json.includes("'") || json.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const envFile = join(dir, 'events.env');
  writeFileSync(envFile, `MOCK_KEY=${MOCK_KEY}\nPROXY_ADMIN_TOKEN=${ADMIN}\nOPS_WEBHOOK_URL=${webhookUrl}\nPROXY_CONFIG='${json}'\n`);
  log = join(dir, 'wrangler.log');
  dev = await startWranglerDev({ envFile, workDir: dir, logFile: log });
});

afterAll(async () => {
  await dev?.stop();
  await new Promise<void>((resolve) => (receiver === undefined ? resolve() : receiver.close(() => resolve())));
  if (dir !== '' && process.env.E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
});

/** The event lines wrangler printed so far, parsed. */
function eventLines(event: string): Record<string, unknown>[] {
  return logLines(wranglerOutput(log)).filter((line) => line.event === event);
}

async function eventually<T>(read: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('not seen in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const postsOf = (event: string) => posts.filter((p) => p.body.event === event);

describe('events and alerts through wrangler dev', () => {
  it('writes an error line for a key the vendor rejects, and posts it to the webhook', async () => {
    const { response } = await sdk(dev.url, CLIENT)
      .chat.completions.create(
        { model: 'ev-keyed', messages: [{ role: 'user', content: 'key check' }] },
        { headers: { 'x-request-id': 'ev-key-1' } },
      )
      .withResponse();
    expect(response.headers.get('x-proxy-provider')).toBe('ev-fallback');
    const line = await eventually(() => eventLines('key_rejected')[0]);
    expect(line).toMatchObject({
      level: 'error',
      provider: 'ev-refused',
      key: '#1 of 1',
      keyEnv: 'MOCK_KEY',
      status: 401,
      requestId: 'ev-key-1',
    });
    const post = await eventually(() => postsOf('key_rejected')[0]);
    expect(post.path).toBe(HOOK_PATH);
    expect(post.body).toMatchObject({ subject: 'key:ev-refused:1', severity: 'error', fields: { provider: 'ev-refused', status: 401 } });
    expect(String(post.body.text)).toMatch(/^LLM proxy: Provider "ev-refused" rejected key #1 of 1 \(MOCK_KEY\): http:401/);
  });

  it('names a refused connection on the request line, and posts the breaker that opened', async () => {
    for (let i = 0; i < 3; i++) {
      await sdk(dev.url, CLIENT).chat.completions.create(
        { model: 'ev-dead', messages: [{ role: 'user', content: `dead ${i}` }] },
        { headers: { 'x-request-id': `ev-dead-${i}` } },
      );
    }
    const first = await logLineFor('ev-dead-0', 8000, log);
    // workerd throws "Network connection lost." for a refused connection, without saying which.
    expect(first.attempts).toMatchObject([
      { provider: 'ev-dead', status: null, retryable: true, error: 'network:connection_lost' },
      { provider: 'ev-fallback' },
    ]);
    const opened = await eventually(() => eventLines('breaker_state').find((e) => e.provider === 'ev-dead'));
    expect(opened).toMatchObject({ level: 'warn', from: 'closed', to: 'open' });
    expect(String(opened.why)).toMatch(/^2 consecutive failures \(last: network:connection_lost\); open for 60 s$/);
    const post = await eventually(() => postsOf('breaker_state').find((p) => p.body.subject === 'breaker:ev-dead:open'));
    expect(post.body).toMatchObject({ severity: 'warning', fields: { provider: 'ev-dead', from: 'closed', to: 'open' } });
    const third = await logLineFor('ev-dead-2', 8000, log);
    expect(third.attempts).toMatchObject([{ provider: 'ev-dead', error: 'breaker_open' }, { provider: 'ev-fallback' }]);
  });

  it('writes and posts an exhausted daily budget once, not for each refusal after it', async () => {
    const client = sdk(dev.url, CAPPED);
    // The day's 5 tokens cannot hold any request's worst case: every request is refused before any vendor call.
    for (let i = 0; i < 3; i++) {
      const refused = await client.chat.completions
        .create({ model: 'ev-budget', messages: [{ role: 'user', content: 'spend it' }] })
        .catch((err: unknown) => err);
      expect((refused as { status?: number }).status).toBe(429);
    }
    await eventually(() => eventLines('budget_exhausted')[0]);
    const post = await eventually(() => postsOf('budget_exhausted')[0]);
    expect(post.body).toMatchObject({ subject: 'budget:ev-capped', fields: { client: 'ev-capped', over: 'tokens', limit: 5 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(eventLines('budget_exhausted')).toHaveLength(1);
    expect(postsOf('budget_exhausted')).toHaveLength(1);
  });

  it('never put a secret in a webhook post or printed the webhook URL', () => {
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const post of posts) {
      for (const value of [MOCK_KEY, ADMIN, CLIENT, CAPPED, webhookUrl, HOOK_PATH]) expect(post.text).not.toContain(value);
    }
    const output = wranglerOutput(log);
    expect(output).not.toContain(HOOK_PATH);
    expect(output).toMatch(/OPS_WEBHOOK_URL \("\(hidden\)"\)/);
  });
});
