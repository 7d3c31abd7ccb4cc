// End-to-end tests: plain Node vitest driving a real `wrangler dev` with the official openai and Anthropic SDKs and the Claude Code CLI.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { AlphabeticalSequencer } from './sequencer.ts';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/e2e/**/*.test.ts'],
    // The transcript first: every wrangler dev of the run, global-setup's included, copies its output there.
    globalSetup: ['test/e2e/transcript-setup.ts', 'test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 90_000,
    sequence: { sequencer: AlphabeticalSequencer },
  },
});
