// Vitest global setup of the chaos run: the mock vendor, the fault relay in front of it, and one `wrangler dev`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMockServer } from '../mock-provider/server.ts';
import { startWranglerDev } from '../support/wrangler-dev.ts';
import { buildChaosConfig, CHAOS_KEY, relayRoutes } from './config.ts';
import { startFaultRelay } from './fault-relay.ts';
import { chaosMode } from './mode.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the chaos run's `wrangler dev`. */
    chaosProxyUrl: string;
    /** Origin of the mock vendor (`/__mock/calls`). */
    chaosMockUrl: string;
    /** Everything that `wrangler dev` printed. */
    chaosWranglerLog: string;
    /** Pid of the wrangler process; workerd is one of its descendants. */
    chaosWranglerPid: number;
    /** Wrangler's DevTools inspector port for the Worker. */
    chaosInspectorPort: number;
  }
}

/**
 * Starts everything once. PROXY_CONFIG and the vendor key reach the Worker through a dotenv file
 * (`--env-file`), as in the e2e run. Set CHAOS_KEEP=1 to keep the temp dir (wrangler's log).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-chaos-'));
  const mock = await startMockServer({ name: 'chaos' });
  const relay = await startFaultRelay(mock.url, relayRoutes());
  const config = JSON.stringify(buildChaosConfig(mock.url, relay.url, chaosMode().memoryRepeat));
  // Single quotes keep dotenv from touching the JSON; dotenv-expand would rewrite `$`.
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const envFile = join(dir, 'chaos.env');
  writeFileSync(envFile, `CHAOS_KEY=${CHAOS_KEY}\nPROXY_CONFIG='${config}'\n`);
  const logFile = join(dir, 'wrangler.log');
  let dev: Awaited<ReturnType<typeof startWranglerDev>>;
  try {
    dev = await startWranglerDev({ envFile, workDir: dir, logFile, startTimeoutMs: 90_000 });
  } catch (error) {
    await Promise.all([relay.close(), mock.close()]);
    throw error;
  }
  project.provide('chaosProxyUrl', dev.url);
  project.provide('chaosMockUrl', mock.url);
  project.provide('chaosWranglerLog', logFile);
  project.provide('chaosWranglerPid', dev.pid);
  project.provide('chaosInspectorPort', dev.inspectorPort);
  return async () => {
    await dev.stop();
    await Promise.all([relay.close(), mock.close()]);
    if (process.env.CHAOS_KEEP === '1') console.log(`chaos: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
