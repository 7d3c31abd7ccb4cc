// The browser example (examples/browser/) in Chromium against wrangler dev and the mock vendor: served from an
// allowed origin it streams an answer, from another it is refused, and no vendor key is ever in the page's traffic.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExampleServer, startExampleServer } from '../../examples/browser/serve.ts';
import { type MockServer, startMockServer } from '../mock-provider/server.ts';
import { freePort, startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VENDOR_KEY = 'sk-vendor-browser-8c1f4e2a9d';
const JWT_SECRET = 'browser-example-jwt-secret-31f9a0c7e5b2';
const PAGE_KEY = 'client-page-6a0e3b7d';
const REPLY = 'Hello from the mock provider.';
const MODEL = 'm-browser';

let dir = '';
let mock: MockServer | undefined;
let wrangler: WranglerDev | undefined;
let allowed: ExampleServer | undefined;
let disallowed: ExampleServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-browser-example-'));
  const launched = chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  mock = await startMockServer();
  const [allowedPort, disallowedPort] = [await freePort(), await freePort()];
  const allowedOrigin = `http://127.0.0.1:${allowedPort}`;
  const config = {
    // token-delay: the answer arrives in pieces, so the page is seen streaming.
    providers: { vendor: { protocol: 'openai', baseUrl: `${mock.url}/token-delay=60/v1`, apiKeyEnv: 'VENDOR_KEY' } },
    models: { chat: { targets: [{ provider: 'vendor', model: MODEL, pricing: { input: 1, output: 2 } }] } },
    cache: { enabled: false },
    degraded: { enabled: false },
    // Token clients come from any page of cors.origins; the key is held to its own origins as well.
    cors: { origins: [allowedOrigin] },
    auth: {
      mode: 'keys+jwt',
      keys: [{ name: 'page', sha256: createHash('sha256').update(PAGE_KEY).digest('hex'), origins: [allowedOrigin], rpm: 30 }],
    },
  };
  writeFileSync(
    join(dir, 'browser.env'),
    `VENDOR_KEY=${VENDOR_KEY}\nPROXY_JWT_SECRET=${JWT_SECRET}\nPROXY_CONFIG='${JSON.stringify(config)}'\n`,
  );
  wrangler = await startWranglerDev({ envFile: join(dir, 'browser.env'), workDir: dir, logFile: join(dir, 'wrangler.log') });
  const page = { proxyUrl: wrangler.url, model: 'chat', jwtSecret: JWT_SECRET, tokenClaims: { rpm: 30, dailyTokens: 100_000 } };
  allowed = await startExampleServer({ ...page, port: allowedPort });
  disallowed = await startExampleServer({ ...page, port: disallowedPort });
  browser = await launched;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([wrangler?.stop(), allowed?.close(), disallowed?.close(), mock?.close()]);
  if (dir !== '' && process.env.BROWSER_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
});

/** One network event of the page, as Chromium's DevTools protocol reports it (preflights included). */
interface Seen {
  event: string;
  params: Record<string, unknown>;
}

/**
 * Everything the page sends and receives, through the DevTools protocol (preflights included): every
 * request, response head and body. A streamed body is taken as it arrives (Network.streamResourceContent),
 * since a stream read by the page is not kept for Network.getResponseBody.
 */
async function tapTraffic(context: BrowserContext, page: Page): Promise<Traffic> {
  const cdp = await context.newCDPSession(page);
  const traffic: Traffic = { seen: [], bodies: [], streamed: new Map() };
  const events = [
    'Network.requestWillBeSent',
    'Network.requestWillBeSentExtraInfo',
    'Network.responseReceived',
    'Network.responseReceivedExtraInfo',
    'Network.loadingFailed',
  ] as const;
  for (const event of events) cdp.on(event, (params) => traffic.seen.push({ event, params: params as unknown as Record<string, unknown> }));
  const decode = (data: string): string => Buffer.from(data, 'base64').toString('utf8');
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    if (!response.mimeType.includes('event-stream')) return;
    traffic.streamed.set(requestId, '');
    cdp
      .send('Network.streamResourceContent', { requestId })
      .then(({ bufferedData }) => traffic.streamed.set(requestId, decode(bufferedData) + (traffic.streamed.get(requestId) ?? '')))
      .catch(() => {});
  });
  cdp.on('Network.dataReceived', ({ requestId, data }) => {
    if (data !== undefined && traffic.streamed.has(requestId))
      traffic.streamed.set(requestId, (traffic.streamed.get(requestId) ?? '') + decode(data));
  });
  cdp.on('Network.loadingFinished', ({ requestId }) => {
    if (traffic.streamed.has(requestId)) return;
    cdp
      .send('Network.getResponseBody', { requestId })
      .then(({ body, base64Encoded }) => traffic.bodies.push(base64Encoded ? decode(body) : body))
      .catch(() => {});
  });
  await cdp.send('Network.enable', { maxTotalBufferSize: 50_000_000, maxResourceBufferSize: 10_000_000 });
  return traffic;
}

interface Traffic {
  seen: Seen[];
  bodies: string[];
  /** Streamed response bodies by request id, as they arrived. */
  streamed: Map<string, string>;
}

/** The answer text carried by an OpenAI SSE body. */
function streamedText(body: string): string {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => (JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
    .join('');
}

/** Opens the example from `origin`, asks with `source` ('token' or 'key'), and waits for the outcome. */
async function ask(origin: string, source: 'token' | 'key') {
  const context = await (browser as Browser).newContext();
  const page = await context.newPage();
  const traffic = await tapTraffic(context, page);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(origin);
  await page.waitForSelector('form[data-ready="true"]');
  await page.selectOption('#source', source);
  if (source === 'key') await page.fill('#key', PAGE_KEY);
  const callsBefore = mock?.provider.calls().length ?? 0;
  // Sample the answer while it streams: a streamed answer is seen growing.
  const lengths: number[] = [];
  const sampler = setInterval(() => {
    page
      .locator('#answer')
      .textContent()
      .then((text) => lengths.push(text?.length ?? 0))
      .catch(() => {});
  }, 25);
  await page.click('#send');
  await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
  clearInterval(sampler);
  const outcome = {
    state: await page.locator('#status').getAttribute('data-state'),
    status: await page.locator('#status').textContent(),
    answer: await page.locator('#answer').textContent(),
    html: await page.content(),
    lengths,
    consoleErrors,
    vendorCalls: (mock?.provider.calls().length ?? 0) - callsBefore,
  };
  // Let the last bodies arrive.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await context.close();
  return { ...outcome, traffic };
}

/** The whole of the page's traffic as text: URLs, methods, headers, request and response bodies. */
const asText = (t: Traffic): string => JSON.stringify(t.seen) + t.bodies.join('\n') + [...t.streamed.values()].join('\n');

function requestsTo(t: Traffic, prefix: string): { method: string; url: string }[] {
  return t.seen
    .filter((s) => s.event === 'Network.requestWillBeSent')
    .map((s) => s.params.request as { method: string; url: string })
    .filter((r) => r.url.startsWith(prefix));
}

function statusesFrom(t: Traffic, prefix: string): number[] {
  return t.seen
    .filter((s) => s.event === 'Network.responseReceived')
    .map((s) => s.params.response as { url: string; status: number })
    .filter((r) => r.url.startsWith(prefix))
    .map((r) => r.status);
}

describe('the browser example in Chromium', () => {
  it.each(['token', 'key'] as const)('streams an answer on an allowed origin with a %s', async (source) => {
    const result = await ask((allowed as ExampleServer).url, source);
    expect(result.state, result.status ?? '').toBe('done');
    expect(result.answer).toBe(REPLY);
    // Seen part-way: more than one length between empty and the whole answer.
    expect(new Set(result.lengths.filter((n) => n > 0 && n < REPLY.length)).size).toBeGreaterThan(1);
    expect(result.vendorCalls).toBe(1);
    const proxy = (wrangler as WranglerDev).url;
    const calls = requestsTo(result.traffic, proxy).map((r) => r.method);
    expect(calls).toContain('POST');
    expect(statusesFrom(result.traffic, proxy)).toContain(200);
    // Everything the page loaded came from its own origin or the proxy: nothing from the internet.
    const hosts = new Set(requestsTo(result.traffic, '').map((r) => new URL(r.url).origin));
    expect([...hosts].sort()).toEqual([(allowed as ExampleServer).url, proxy].sort());
    // The answer is in the captured traffic: the page's view is the network's.
    expect([...result.traffic.streamed.values()].map(streamedText)).toEqual([REPLY]);
    const text = asText(result.traffic);
    // The capture sees credentials where they are (the client's own, in request headers), so it would see a vendor key.
    expect(text.includes(source === 'key' ? PAGE_KEY : '"token":"ey')).toBe(true);
    expect(text.includes(VENDOR_KEY)).toBe(false);
    expect(text.includes(JWT_SECRET)).toBe(false);
    expect(result.html.includes(VENDOR_KEY)).toBe(false);
  });

  it('is refused on an origin the proxy does not list, before any vendor call', async () => {
    const result = await ask((disallowed as ExampleServer).url, 'token');
    expect(result.state).toBe('error');
    expect(result.status).toContain('does not accept requests from this page');
    expect(result.answer).toBe('');
    expect(result.vendorCalls).toBe(0);
    const proxy = (wrangler as WranglerDev).url;
    // The preflight was refused with a 403 and no CORS header, so Chromium never sent the POST: it failed with a CORS error.
    const post = result.traffic.seen.find(
      (s) =>
        s.event === 'Network.requestWillBeSent' &&
        (s.params.request as { method: string; url: string }).method === 'POST' &&
        (s.params.request as { url: string }).url.startsWith(proxy),
    );
    const failure = result.traffic.seen.find((s) => s.event === 'Network.loadingFailed' && s.params.requestId === post?.params.requestId);
    // Chromium names the first thing wrong with the preflight: no Access-Control-Allow-Origin (and a 403).
    expect((failure?.params.corsErrorStatus as { corsError: string } | undefined)?.corsError).toBe('PreflightMissingAllowOriginHeader');
    expect(result.traffic.seen.some((s) => s.event === 'Network.responseReceived' && s.params.requestId === post?.params.requestId)).toBe(
      false,
    );
    const preflights = result.traffic.seen.filter(
      (s) => s.event === 'Network.responseReceivedExtraInfo' && (s.params.statusCode as number) === 403,
    );
    expect(preflights.length).toBeGreaterThan(0);
    for (const p of preflights) expect(JSON.stringify(p.params.headers).toLowerCase()).not.toContain('access-control-allow-origin');
    expect(result.consoleErrors.join('\n')).toMatch(/CORS/);
    const text = asText(result.traffic);
    expect(text.includes(VENDOR_KEY)).toBe(false);
    expect(text.includes(JWT_SECRET)).toBe(false);
  });

  it('is refused when a page on another origin uses the key directly (a fetch with the key, no browser)', async () => {
    const res = await fetch(`${(wrangler as WranglerDev).url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: (disallowed as ExampleServer).url, authorization: `Bearer ${PAGE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
  });
});
