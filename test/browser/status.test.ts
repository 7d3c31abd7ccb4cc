// What a person sees on /status in a real browser: one healthy, one open and one half-open provider.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = 'browser-admin-token-93be1f';
const SCREENSHOT = process.env.STATUS_SCREENSHOT ?? '/tmp/status.png';
/**
 * `openMs` is global, so both breakers use it: long enough that "bravo" is certainly still open
 * when the page is first read, short enough that it is half-open by the page's own refresh (5 s).
 */
const OPEN_MS = 4000;

/** No upstream is ever called: these tests only force breakers and read the page. */
const PROXY_CONFIG = {
  providers: {
    alpha: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
    bravo: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
    charlie: { protocol: 'anthropic', baseUrl: 'http://127.0.0.1:9/v1' },
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
  },
  breaker: { openMs: OPEN_MS, maxOpenMs: OPEN_MS },
};

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

/** The table as a person reads it: every row's cells, its state label and the label's colour. */
async function readRows(page: Page): Promise<Map<string, Row>> {
  const rows = await page.locator('tbody tr').evaluateAll((trs) =>
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
  const config = JSON.stringify(PROXY_CONFIG);
  // Single quotes keep dotenv from touching the JSON.
  writeFileSync(join(dir, 'browser.env'), `PROXY_ADMIN_TOKEN=${ADMIN}\nPROXY_CONFIG='${config}'\n`);
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
    expect([...(await readRows(signedIn)).keys()]).toEqual(['alpha', 'bravo', 'charlie']);
    await context.close();
  });

  it('shows a healthy, an open and a half-open provider in words and colours, and refreshes itself', async () => {
    await force('charlie', 'open');
    await expect.poll(() => stateOf('charlie'), { timeout: OPEN_MS * 3, interval: 250 }).toBe('half_open');
    await force('bravo', 'open');

    const context = await (browser as Browser).newContext({
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` },
      viewport: { width: 1280, height: 420 },
    });
    const page = await context.newPage();
    const res = await page.goto(`${wrangler?.url}/status`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('LLM proxy status');
    const rows = await readRows(page);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect([...rows.keys()]).toEqual(['alpha', 'bravo', 'charlie']);
    const alpha = rows.get('alpha');
    const bravo = rows.get('bravo');
    const charlie = rows.get('charlie');
    expect(alpha?.label).toBe('closed — healthy');
    expect(alpha?.cells).toEqual(['alpha', 'closed — healthy', 'no calls', '—', '—', '0', 'chat']);
    expect(bravo?.label).toMatch(/^open — next probe in [1-4] s$/);
    expect(bravo?.cells.slice(2)).toEqual(['no calls', '—', '—', '0', 'chat, reasoning']);
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

  it('shows a force-closed provider as healthy again', async () => {
    await force('bravo', 'close');
    const context = await (browser as Browser).newContext({ extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` } });
    const page = await context.newPage();
    await page.goto(`${wrangler?.url}/status`);
    expect((await readRows(page)).get('bravo')?.label).toBe('closed — healthy');
    await context.close();
  });
});
