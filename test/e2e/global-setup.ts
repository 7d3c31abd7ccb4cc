// Vitest global setup: the mock vendor, the connection and vendor taps and two `wrangler dev`s for the whole run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMockServer } from '../mock-provider/server.ts';
import { startWranglerDev } from '../support/wrangler-dev.ts';
import { withAgentAliases } from './agent-config.ts';
import { buildCacheProxyConfig } from './cache-config.ts';
import { buildProxyConfig, MOCK_KEY } from './config.ts';
import { startConnectionTap } from './connection-tap.ts';
import { startVendorTap } from './vendor-tap.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of `wrangler dev`, e.g. `http://127.0.0.1:41234`. */
    proxyUrl: string;
    /** Origin of the mock vendor (control endpoints `/__mock/calls`, `/__mock/reset`). */
    mockUrl: string;
    /** Origin of the connection tap (`/__tap/log`, `/__tap/reset`). */
    tapUrl: string;
    /** Origin of the vendor tap, the recording hop of the agent aliases (`/__vendor/log`, `/__vendor/reset`). */
    vendorTapUrl: string;
    /** File holding everything wrangler wrote to stdout and stderr. */
    wranglerLog: string;
    /** JSON-lines file where tests record every proxy response they read. */
    responseLog: string;
    /** Origin of the second `wrangler dev`: the KV cache and degraded replies on (cache-config.ts). */
    cacheProxyUrl: string;
    /** File holding everything the second wrangler wrote to stdout and stderr. */
    cacheWranglerLog: string;
  }
}

/** Writes PROXY_CONFIG and MOCK_KEY to `<dir>/e2e.env` for `--env-file`; returns its path. */
function writeEnvFile(dir: string, proxyConfig: object): string {
  const config = JSON.stringify(proxyConfig);
  // Single quotes keep dotenv from touching the JSON; dotenv-expand would rewrite `$`.
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const envFile = join(dir, 'e2e.env');
  writeFileSync(envFile, `MOCK_KEY=${MOCK_KEY}\nPROXY_CONFIG='${config}'\n`);
  return envFile;
}

/**
 * Starts everything once and provides the URLs. PROXY_CONFIG and MOCK_KEY reach each Worker
 * through a temporary dotenv file (`--env-file`): wrangler shows those values as "(hidden)",
 * so the fake key is not in argv or in wrangler's own banner. The first `wrangler dev` runs with
 * the cache and degraded replies off (config.ts); the second, in its own temp dir with its own
 * local KV, with both on (cache-config.ts). Both start at once to keep the setup short.
 * Set E2E_KEEP=1 to keep the temp dirs.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'proxy-e2e-cache-'));
  const mock = await startMockServer();
  const tap = await startConnectionTap(mock.url);
  const vendorTap = await startVendorTap(mock.url);
  const envFile = writeEnvFile(dir, withAgentAliases(buildProxyConfig(mock.url, tap.url), vendorTap.url));
  const cacheEnvFile = writeEnvFile(cacheDir, buildCacheProxyConfig(mock.url));
  const wranglerLog = join(dir, 'wrangler.log');
  const cacheWranglerLog = join(cacheDir, 'wrangler.log');
  const responseLog = join(dir, 'responses.jsonl');
  writeFileSync(responseLog, '');
  const started = await Promise.allSettled([
    startWranglerDev({ envFile, workDir: dir, logFile: wranglerLog }),
    startWranglerDev({ envFile: cacheEnvFile, workDir: cacheDir, logFile: cacheWranglerLog }),
  ]);
  const [wrangler, cacheWrangler] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  if (wrangler === undefined || cacheWrangler === undefined) {
    await Promise.all([wrangler?.stop(), cacheWrangler?.stop(), tap.close(), vendorTap.close(), mock.close()]);
    throw started.find((result) => result.status === 'rejected')?.reason;
  }
  project.provide('proxyUrl', wrangler.url);
  project.provide('mockUrl', mock.url);
  project.provide('tapUrl', tap.url);
  project.provide('vendorTapUrl', vendorTap.url);
  project.provide('wranglerLog', wranglerLog);
  project.provide('responseLog', responseLog);
  project.provide('cacheProxyUrl', cacheWrangler.url);
  project.provide('cacheWranglerLog', cacheWranglerLog);
  return async () => {
    await Promise.all([wrangler.stop(), cacheWrangler.stop()]);
    await Promise.all([tap.close(), vendorTap.close(), mock.close()]);
    for (const d of [dir, cacheDir]) {
      if (process.env.E2E_KEEP === '1') console.log(`e2e: kept ${d}`);
      else rmSync(d, { recursive: true, force: true });
    }
  };
}
