// What a person sees on /status in a real browser: idle, open, half-open, keyless and busy providers, with percentiles after traffic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock-provider/server.ts';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = 'browser-admin-token-93be1f';
const SCREENSHOT = process.env.STATUS_SCREENSHOT ?? '/tmp/status.png';
/**
 * `openMs` is global, so both breakers use it: long enough that "bravo" is certainly still open
 * when the page is first read, short enough that it is half-open by the page's own refresh (5 s).
 */
const OPEN_MS = 4000;

const LIVE_KEY = 'browser-live-vendor-key-5e0c2a';

/**
 * alpha, bravo and charlie are never called (these tests force their breakers); delta names a key
 * secret that is not set, so its targets are skipped; echo is the mock vendor, answering slowly
 * enough that its percentiles are real numbers.
 */
function proxyConfig(mockUrl: string) {
  return {
    providers: {
      alpha: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
      bravo: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
      charlie: { protocol: 'anthropic', baseUrl: 'http://127.0.0.1:9/v1' },
      delta: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'DELTA_API_KEY' },
      echo: { protocol: 'openai', baseUrl: `${mockUrl}/first-token-delay=60,token-delay=10/v1`, apiKeyEnv: 'ECHO_API_KEY' },
    },
    models: {
      chat: {
        targets: [
          { provider: 'alpha', model: 'a-1' },
          { provider: 'bravo', model: 'b-1' },
        ],
      },
      reasoning: {
        targets: [
          { provider: 'charlie', model: 'c-1' },
          { provider: 'bravo', model: 'b-2' },
        ],
      },
      live: {
        targets: [
          { provider: 'delta', model: 'd-1' },
          { provider: 'echo', model: 'e-1' },
        ],
      },
    },
    breaker: { openMs: OPEN_MS, maxOpenMs: OPEN_MS },
    cache: { enabled: false },
  };
}

interface Row {
  provider: string;
  state: string;
  label: string;
  colour: string;
  cells: string[];
}

let dir = '';
let wrangler: WranglerDev | undefined;
let browser: Browser | undefined;
let mock: MockServer | undefined;

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${wrangler?.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

const force = (provider: string, action: 'open' | 'close' | 'reset') =>
  admin(`/admin/breakers/${provider}`, { method: 'POST', body: JSON.stringify({ action }) });

async function stateOf(provider: string): Promise<string | undefined> {
  const report = (await (await admin('/status.json')).json()) as { providers: { provider: string; state: string }[] };
  return report.providers.find((p) => p.provider === provider)?.state;
}

/** The background colour of the page's "bad" (red) badge class. */
async function redOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    probe.className = 'state bad';
    document.body.append(probe);
    const colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour;
  });
}

/** The table as a person reads it: every row's cells, its state label and the label's colour. */
async function readRows(page: Page): Promise<Map<string, Row>> {
  const rows = await page.locator('table.providers tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const label = tr.querySelector('.state');
      return {
        provider: tr.getAttribute('data-provider') ?? '',
        state: tr.getAttribute('data-state') ?? '',
        label: label?.textContent ?? '',
        colour: label === null ? '' : getComputedStyle(label).backgroundColor,
        cells: [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim()),
      };
    }),
  );
  return new Map(rows.map((row) => [row.provider, row]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-browser-'));
  mock = await startMockServer();
  const config = JSON.stringify(proxyConfig(mock.url));
  // Single quotes keep dotenv from touching the JSON.
  writeFileSync(join(dir, 'browser.env'), `PROXY_ADMIN_TOKEN=${ADMIN}\nECHO_API_KEY=${LIVE_KEY}\nPROXY_CONFIG='${config}'\n`);
  const launched = chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  wrangler = await startWranglerDev({ envFile: join(dir, 'browser.env'), workDir: dir, logFile: join(dir, 'wrangler.log') });
  browser = await launched;
});

afterAll(async () => {
  await browser?.close();
  await wrangler?.stop();
  await mock?.close();
  if (dir !== '' && process.env.BROWSER_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
});

describe('the status page in Chromium', () => {
  it('asks a browser for the admin token, and takes it as the Basic password', async () => {
    const anonymous = await fetch(`${wrangler?.url}/status`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    // Headless Chromium cannot show the login prompt, so it gives up the navigation: nothing is rendered.
    const page = await (browser as Browser).newPage();
    await expect(page.goto(`${wrangler?.url}/status`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await page.close();

    const context = await (browser as Browser).newContext({ httpCredentials: { username: 'admin', password: ADMIN } });
    const signedIn = await context.newPage();
    expect((await signedIn.goto(`${wrangler?.url}/status`))?.status()).toBe(200);
    expect([...(await readRows(signedIn)).keys()]).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    await context.close();
  });

  it('shows an idle, an open and a half-open provider in words and colours, and refreshes itself', async () => {
    await force('charlie', 'open');
    await expect.poll(() => stateOf('charlie'), { timeout: OPEN_MS * 3, interval: 250 }).toBe('half_open');
    await force('bravo', 'open');

    const context = await (browser as Browser).newContext({
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` },
      viewport: { width: 1600, height: 480 },
    });
    const page = await context.newPage();
    const res = await page.goto(`${wrangler?.url}/status`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('LLM proxy status');
    const rows = await readRows(page);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect([...rows.keys()]).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const alpha = rows.get('alpha');
    const bravo = rows.get('bravo');
    const charlie = rows.get('charlie');
    expect(alpha?.label).toBe('no traffic yet');
    expect(alpha?.cells).toEqual(['alpha', 'no traffic yet', 'closed', 'no calls yet', '—', '—', 'none', 'none needed', '—', 'chat']);
    expect(bravo?.label).toMatch(/^open — next probe in [1-4] s$/);
    expect(bravo?.cells.slice(2)).toEqual([
      expect.stringMatching(/^open, probe in [1-4] s$/),
      'no calls yet',
      '—',
      '—',
      'none',
      'none needed',
      '—',
      'chat, reasoning',
    ]);
    expect(charlie?.label).toBe('half-open — probing');
    expect(charlie?.cells.at(-1)).toBe('reasoning');
    // Green, red and amber: three different colours, none of them the page background.
    const colours = new Set([alpha?.colour, bravo?.colour, charlie?.colour]);
    expect(colours.size).toBe(3);
    expect(colours.has('rgba(0, 0, 0, 0)')).toBe(false);

    // The stylesheet applied as a whole: the page font is a sans-serif, not the browser's default serif.
    expect(await page.locator('body').evaluate((b) => getComputedStyle(b).fontFamily)).toContain('sans-serif');
    const body = await page.locator('body').textContent();
    expect(body).toContain('This page refreshes every 5 s.');
    expect(await page.content()).not.toContain(ADMIN);

    // No script on the page: the meta refresh alone brings the news that bravo's time is up.
    await expect
      .poll(async () => (await readRows(page)).get('bravo')?.label, { timeout: OPEN_MS + 10_000, interval: 500 })
      .toBe('half-open — probing');
    await context.close();
  });

  it('shows a force-closed provider as closed again', async () => {
    await force('bravo', 'close');
    const context = await (browser as Browser).newContext({ extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` } });
    const page = await context.newPage();
    await page.goto(`${wrangler?.url}/status`);
    const bravo = (await readRows(page)).get('bravo');
    expect(bravo?.state).toBe('closed');
    expect(bravo?.label).toBe('no traffic yet');
    await context.close();
  });

  it('shows a provider whose key is missing as not usable, in red, and percentiles after traffic', async () => {
    // Streamed requests for `live`: delta is skipped (no key), echo answers each one.
    const ask = async (i: number) => {
      const res = await fetch(`${wrangler?.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'live', stream: true, messages: [{ role: 'user', content: `status page ${i}` }] }),
      });
      expect(res.headers.get('x-proxy-provider')).toBe('echo');
      await res.text();
    };
    for (let i = 0; i < 6; i++) await ask(i);
    // Successes reach the breaker object in batches, one a second per provider.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await ask(6);

    const context = await (browser as Browser).newContext({ extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` } });
    const page = await context.newPage();
    await expect
      .poll(async () => (await page.goto(`${wrangler?.url}/status`)) && (await readRows(page)).get('echo')?.cells[3], {
        timeout: 10_000,
        interval: 500,
      })
      .toBe('100% of 7');
    const rows = await readRows(page);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-traffic.png'), fullPage: true });
    const delta = rows.get('delta');
    const echo = rows.get('echo');
    expect(delta?.label).toBe('no key — not usable');
    expect(delta?.cells[7]).toBe('DELTA_API_KEY not set');
    expect(delta?.colour).toBe(await redOf(page));
    expect(echo?.label).toBe('healthy');
    const [latency, ttft] = [echo?.cells[4] ?? '', echo?.cells[5] ?? ''];
    expect(latency).toMatch(/^\d+ ms \/ \d+ ms$/);
    expect(ttft).toMatch(/^\d+ ms \/ \d+ ms$/);
    const [ttft50] = ttft.split(' ms / ').map((v) => Number.parseInt(v, 10));
    const [latency50] = latency.split(' ms / ').map((v) => Number.parseInt(v, 10));
    expect(ttft50).toBeGreaterThanOrEqual(60);
    expect(latency50).toBeGreaterThan(ttft50 as number);
    expect(echo?.cells[7]).toBe('ECHO_API_KEY set');
    expect(await page.content()).not.toContain(LIVE_KEY);
    await context.close();
  });
});
