// Node-side tests of the mock provider: its HTTP server (server.ts) on real sockets.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mock-provider/**/*.node-test.ts'],
    testTimeout: 10_000,
  },
});
