// Vitest global setup: the mock vendor, the connection tap and one `wrangler dev` for the whole run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMockServer } from '../mock-provider/server.ts';
import { startWranglerDev } from '../support/wrangler-dev.ts';
import { buildProxyConfig, MOCK_KEY } from './config.ts';
import { startConnectionTap } from './connection-tap.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of `wrangler dev`, e.g. `http://127.0.0.1:41234`. */
    proxyUrl: string;
    /** Origin of the mock vendor (control endpoints `/__mock/calls`, `/__mock/reset`). */
    mockUrl: string;
    /** Origin of the connection tap (`/__tap/log`, `/__tap/reset`). */
    tapUrl: string;
    /** File holding everything wrangler wrote to stdout and stderr. */
    wranglerLog: string;
    /** JSON-lines file where tests record every proxy response they read. */
    responseLog: string;
  }
}

/**
 * Starts everything once and provides the URLs. PROXY_CONFIG and MOCK_KEY reach the Worker
 * through a temporary dotenv file (`--env-file`): wrangler shows those values as "(hidden)",
 * so the fake key is not in argv or in wrangler's own banner. Set E2E_KEEP=1 to keep the temp dir.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-'));
  const mock = await startMockServer();
  const tap = await startConnectionTap(mock.url);
  const config = JSON.stringify(buildProxyConfig(mock.url, tap.url));
  // Single quotes keep dotenv from touching the JSON; dotenv-expand would rewrite `$`.
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const envFile = join(dir, 'e2e.env');
  writeFileSync(envFile, `MOCK_KEY=${MOCK_KEY}\nPROXY_CONFIG='${config}'\n`);
  const wranglerLog = join(dir, 'wrangler.log');
  const responseLog = join(dir, 'responses.jsonl');
  writeFileSync(responseLog, '');
  let wrangler: Awaited<ReturnType<typeof startWranglerDev>>;
  try {
    wrangler = await startWranglerDev({ envFile, workDir: dir, logFile: wranglerLog });
  } catch (error) {
    await Promise.all([tap.close(), mock.close()]);
    throw error;
  }
  project.provide('proxyUrl', wrangler.url);
  project.provide('mockUrl', mock.url);
  project.provide('tapUrl', tap.url);
  project.provide('wranglerLog', wranglerLog);
  project.provide('responseLog', responseLog);
  return async () => {
    await wrangler.stop();
    await Promise.all([tap.close(), mock.close()]);
    if (process.env.E2E_KEEP === '1') console.log(`e2e: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
