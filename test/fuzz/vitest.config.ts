// The fuzz suite's bulk, inside workerd (Cloudflare Vitest plugin): FUZZ_SEED and FUZZ_RUNS reach the tests as bindings.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const bindings: Record<string, string> = {};
if (process.env.FUZZ_SEED !== undefined) bindings.FUZZ_SEED = process.env.FUZZ_SEED;
if (process.env.FUZZ_RUNS !== undefined) bindings.FUZZ_RUNS = process.env.FUZZ_RUNS;

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings } })],
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    exclude: ['test/fuzz/http.test.ts'],
    testTimeout: 300_000,
    // Thousands of requests: keep the proxy's own log lines out of the output.
    onConsoleLog: (log) => !log.startsWith('{"level"'),
  },
});
