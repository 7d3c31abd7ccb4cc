// GET /status (HTML) and GET /status.json: every provider's health, breaker, recent traffic and key; admin-only unless `status.public`.
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth, carriesAdminToken } from '../middleware/admin-auth.ts';
import { withConfig } from '../middleware/config.ts';
import { spendToday } from '../spend/report.ts';
import { type StatusReport, statusReport } from './breaker-status.ts';
import { StatusPage } from './status-page.tsx';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The report, with the day's spend per client for the admin: anyone who passed admin auth, or on a
 * public page (`status.public`) whoever sends the admin token anyway.
 */
async function reportFor(c: Context<AppEnv>, basic: boolean): Promise<StatusReport> {
  const config = c.get('config');
  const admin = !config.raw.status.public || (await carriesAdminToken(c.env, c.req.header('authorization'), basic));
  const [report, spend] = await Promise.all([
    statusReport(c.env.BREAKER, config, c.env),
    admin ? spendToday(c.env.BUDGET, config, Date.now()) : undefined,
  ]);
  return spend === undefined ? report : { ...report, spend };
}

/**
 * Mounted at the root, outside the `/v1/*` middleware: no client keys, no body limit. Middleware is
 * attached per route, since a `use('*')` here would run for every path of the app.
 */
export function statusRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/status.json', withConfig(), adminAuth({ publicWhenStatusPublic: true }), async (c) => {
      return c.json(await reportFor(c, false), 200, NO_STORE);
    })
    .get('/status', withConfig(), adminAuth({ publicWhenStatusPublic: true, basicForBrowsers: true }), async (c) => {
      const report = await reportFor(c, true);
      // JSX renders no doctype; without one the browser lays the page out in quirks mode.
      const page = await (<StatusPage report={report} />);
      return c.html(`<!DOCTYPE html>${page}`, 200, NO_STORE);
    });
}
