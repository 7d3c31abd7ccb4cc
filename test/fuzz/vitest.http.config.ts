// The fuzz suite over real HTTP: plain Node vitest driving one `wrangler dev` (FUZZ_SEED, FUZZ_HTTP_RUNS from the environment).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['test/fuzz/http.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
