// Tests of the bench harness's own logic, in plain Node: npx vitest run --config scripts/bench/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/bench/**/*.node-test.ts'],
    testTimeout: 20_000,
  },
});
