// GET /healthz: liveness. No auth, no upstream calls; 200 with a valid config, 503 naming every bad path with an invalid one.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { configOf } from '../middleware/config.ts';

export function healthRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/healthz', (c) => {
    const config = configOf(c);
    if (!config.ok) return c.json({ status: 'error', config: 'invalid', issues: config.issues }, 503, { 'cache-control': 'no-store' });
    return c.json({ status: 'ok', config: 'valid' }, 200, { 'cache-control': 'no-store' });
  });
}
