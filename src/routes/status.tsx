// GET /status (HTML) and GET /status.json: every provider's breaker; admin-only unless `status.public`.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { withConfig } from '../middleware/config.ts';
import { statusReport } from './breaker-status.ts';
import { StatusPage } from './status-page.tsx';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Mounted at the root, outside the `/v1/*` middleware: no client keys, no body limit. Middleware is
 * attached per route, since a `use('*')` here would run for every path of the app.
 */
export function statusRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/status.json', withConfig(), adminAuth({ publicWhenStatusPublic: true }), async (c) => {
      const report = await statusReport(c.env.BREAKER, c.get('config'));
      return c.json(report, 200, NO_STORE);
    })
    .get('/status', withConfig(), adminAuth({ publicWhenStatusPublic: true, basicForBrowsers: true }), async (c) => {
      const report = await statusReport(c.env.BREAKER, c.get('config'));
      // JSX renders no doctype; without one the browser lays the page out in quirks mode.
      const page = await (<StatusPage report={report} />);
      return c.html(`<!DOCTYPE html>${page}`, 200, NO_STORE);
    });
}
