// GET /healthz: liveness. No auth, no upstream calls; says whether the config is valid.
import { Hono } from 'hono';
import { loadConfig } from '../config/load.ts';
import type { AppEnv } from '../env.ts';

export function healthRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/healthz', (c) => {
    const config = loadConfig(c.env.PROXY_CONFIG);
    return c.json({ status: 'ok', config: config.ok ? 'valid' : 'invalid' });
  });
}
