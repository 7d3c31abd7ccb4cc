// Simulations (`npm run sim:sticky`): workloads through the real app inside workerd, printing their figures.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
  test: {
    include: ['test/sim/**/*.sim.ts'],
    testTimeout: 300_000,
  },
});
