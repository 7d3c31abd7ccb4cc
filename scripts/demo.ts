// `npm run demo`: a flaky and a healthy mock vendor behind the proxy, and who answered each request and why.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockServer } from '../test/mock-provider/server.ts';
import { startWranglerDev } from '../test/support/wrangler-dev.ts';

const flaky = await startMockServer({ name: 'flaky-vendor' });
const healthy = await startMockServer({ name: 'healthy-vendor' });

/** Each alias puts the flaky vendor, misbehaving one way, in front of the healthy one. */
const situations = {
  'flaky-503': {
    scenario: 'status=503',
    says: 'the flaky vendor answers 503 Service Unavailable',
    why: '503 is transient: retried on the same vendor with jittered backoff, then the next target',
  },
  'flaky-once': {
    scenario: 'status=502,times=1',
    says: 'the flaky vendor fails once with 502, then works',
    why: 'the retry on the same vendor succeeds, so no fallback is needed',
  },
  'rate-limited': {
    scenario: 'status=429,retry-after=30',
    says: 'the flaky vendor is rate limited with Retry-After: 30',
    why: 'Retry-After is longer than maxRetryWaitMs, so the proxy moves on at once instead of waiting',
  },
  'no-key': {
    scenario: 'status=401',
    says: 'the flaky vendor refuses our key (401)',
    why: 'a provider-side auth error is a configuration problem: skipped without retry',
  },
  'slow-stream': {
    scenario: 'first-token-delay=3000',
    says: 'the flaky vendor streams, but its first token takes 3 s',
    why: 'firstTokenTimeoutMs passed before the commit point, so the caller saw nothing and the next target answered',
  },
  'cut-stream': {
    scenario: 'cut-after=3',
    says: 'the flaky vendor cuts its stream after 3 tokens',
    why: 'past the commit point the caller already has part of the answer, so the stream ends with an in-band error',
  },
  'all-down': {
    scenario: 'status=503',
    says: 'the only vendor behind this alias is down and nothing is cached',
    why: 'every target failed and no stale entry exists, so the proxy answers itself with a degraded reply',
    alone: true,
  },
  'flaky-once ': {
    scenario: '',
    says: 'the same question as "flaky-once" again',
    why: 'the first answer was stored in KV; the repeat is served from the cache without calling a vendor',
    repeatOf: 'flaky-once',
  },
} as Record<string, { scenario: string; says: string; why: string; alone?: boolean; repeatOf?: string }>;

const providers: Record<string, unknown> = { healthy: { protocol: 'openai', baseUrl: `${healthy.url}/v1`, apiKeyEnv: 'HEALTHY_KEY' } };
const models: Record<string, unknown> = {};
for (const [alias, { scenario, alone, repeatOf }] of Object.entries(situations)) {
  if (repeatOf !== undefined) continue;
  providers[alias] = { protocol: 'openai', baseUrl: `${flaky.url}/${scenario}/v1`, apiKeyEnv: 'FLAKY_KEY' };
  const fallback = alone ? [] : [{ provider: 'healthy', model: 'healthy-model' }];
  models[alias] = { targets: [{ provider: alias, model: 'flaky-model' }, ...fallback] };
}
const config = { providers, models, retry: { maxRetries: 1, baseDelayMs: 100, firstTokenTimeoutMs: 1000, idleTimeoutMs: 1000 } };

console.log('Starting the proxy (wrangler dev) in front of two mock vendors...');
const workDir = mkdtempSync(join(tmpdir(), 'proxy-demo-'));
const envFile = join(workDir, 'demo.env');
const logFile = join(workDir, 'wrangler.log');
writeFileSync(
  envFile,
  `PROXY_CONFIG='${JSON.stringify(config)}'
FLAKY_KEY=demo-flaky-key
HEALTHY_KEY=demo-healthy-key
`,
);
const proxy = await startWranglerDev({ envFile, workDir, logFile });
console.log(`Proxy on ${proxy.url}. No real keys are involved.\n`);

interface LogLine {
  requestId: string;
  attempts: { provider: string; status: number | null; error?: string }[];
  streamOutcome?: string;
}

/** The proxy's own log line for a request: it says what each attempt did. */
async function logFor(requestId: string): Promise<LogLine | undefined> {
  for (let i = 0; i < 50; i++) {
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      // The request line, not an event line of the same request (a rejected key names it too).
      .find((l) => l.includes('"msg":"request"') && l.includes(`"requestId":"${requestId}"`));
    if (line !== undefined) return JSON.parse(line.slice(line.indexOf('{'))) as LogLine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

try {
  for (const [name, { says, why, repeatOf }] of Object.entries(situations)) {
    const alias = repeatOf ?? name;
    const stream = alias.endsWith('stream');
    const started = Date.now();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: alias, stream, messages: [{ role: 'user', content: 'Hello?' }] }),
    });
    const text = await res.text();
    const ms = Date.now() - started;
    const requestId = res.headers.get('x-request-id') ?? '';
    const log = await logFor(requestId);
    console.log(`■ ${alias}${stream ? ' (streaming)' : ''}: ${says}`);
    console.log(
      `  HTTP ${res.status} in ${ms} ms from ${res.headers.get('x-proxy-source')} (cache ${res.headers.get('x-proxy-cache')}), provider ${res.headers.get('x-proxy-provider') ?? '-'} (${res.headers.get('x-proxy-model') ?? '-'}), ${res.headers.get('x-proxy-attempts')} upstream call(s)`,
    );
    for (const a of log?.attempts ?? []) {
      console.log(`    attempt: ${a.provider.padEnd(13)} status ${String(a.status ?? '-').padEnd(4)} ${a.error ?? 'ok'}`);
    }
    console.log(`  why: ${why}`);
    console.log(
      `  answer: ${stream ? summariseStream(text) : JSON.stringify((JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content)}\n`,
    );
  }
} finally {
  await proxy.stop();
  await flaky.close();
  await healthy.close();
  rmSync(workDir, { recursive: true, force: true });
}

function summariseStream(text: string): string {
  let answer = '';
  let error = '';
  for (const block of text.split('\n\n')) {
    const data = block.replace(/^data: /, '');
    if (!data || data === '[DONE]') continue;
    const event = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: { code: string } };
    answer += event.choices?.[0]?.delta?.content ?? '';
    if (event.error) error = ` … then error "${event.error.code}"`;
  }
  return JSON.stringify(answer) + error;
}
