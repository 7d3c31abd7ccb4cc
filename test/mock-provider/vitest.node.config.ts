// Node-side tests of the mock provider: its HTTP server (server.ts) on real sockets. Run with
// `npx vitest run --config test/mock-provider/vitest.node.config.ts`.
// A plain object on purpose: importing `vitest/config` would pull Node's types into the Workers
// tsconfig (which covers test/) and retype every setTimeout in src/.
export default {
  test: {
    include: ['test/mock-provider/**/*.node-test.ts'],
    testTimeout: 10_000,
  },
};
