// Vitest global setup, run first: the transcript directory every `wrangler dev` of the run copies its output to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TRANSCRIPT_DIR_ENV } from '../support/transcript.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory holding the output of every `wrangler dev` of the run, and the secrets tests registered. */
    transcriptDir: string;
  }
}

/**
 * Sets PROXY_TEST_TRANSCRIPT_DIR before global-setup.ts and the test files start any instance, so
 * instances started and deleted inside test files (breaker.test.ts, edge-guard.test.ts) are kept
 * for zz-secrets.test.ts too. Set E2E_KEEP=1 to keep the directory.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-transcript-'));
  process.env[TRANSCRIPT_DIR_ENV] = dir;
  project.provide('transcriptDir', dir);
  return () => {
    if (process.env.E2E_KEEP === '1') console.log(`e2e: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
