// A `wrangler dev` of one e2e test file's own: its temp dir and env file, started before the file's tests and stopped after them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { writeEnvFile } from '../support/env-file.ts';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { MOCK_KEY } from './config.ts';
import { secret } from './recorder.ts';

/** A running proxy of a test file's own. */
export interface Instance {
  /** The proxy's origin. */
  url: string;
  /** Its wrangler output, where its request log lines are. */
  log: string;
  /** Its temp dir: the built Worker, local state, the log, and scratch room for the tests (CLI runs' HOME and work dirs). */
  dir: string;
}

export interface OwnInstanceOptions {
  /** PROXY_CONFIG, built from the mock vendor's origin; its providers find the vendor key in MOCK_KEY. */
  config(mockUrl: string): unknown;
  /** The secrets the tests give it or its clients (what, value), registered for zz-secrets.test.ts. */
  secrets?: readonly (readonly [string, string])[];
  /** Start nothing (the CLI the file drives is not here): the instance stays empty and the tests skip. */
  skip?: boolean;
}

/**
 * Registers the hooks that run a proxy for the calling test file: `beforeAll` makes a temp dir
 * `proxy-e2e-<name>-…`, writes `<name>.env` (MOCK_KEY and the config) and starts `wrangler dev` on
 * it with its output in `wrangler.log`; `afterAll` stops it and removes the dir, unless E2E_KEEP=1.
 * Returns the instance, whose fields are filled in once `beforeAll` has run (read them in tests).
 */
export function useOwnInstance(name: string, options: OwnInstanceOptions): Instance {
  const instance: Instance = { url: '', log: '', dir: '' };
  let dev: WranglerDev | undefined;
  beforeAll(async () => {
    if (options.skip === true) return;
    instance.dir = mkdtempSync(join(tmpdir(), `proxy-e2e-${name}-`));
    for (const [what, value] of options.secrets ?? []) secret(what, value);
    const envFile = writeEnvFile(join(instance.dir, `${name}.env`), options.config(inject('mockUrl')), { MOCK_KEY });
    instance.log = join(instance.dir, 'wrangler.log');
    dev = await startWranglerDev({ envFile, workDir: instance.dir, logFile: instance.log });
    instance.url = dev.url;
  });
  afterAll(async () => {
    await dev?.stop();
    if (instance.dir !== '' && process.env.E2E_KEEP !== '1') rmSync(instance.dir, { recursive: true, force: true });
  });
  return instance;
}
