// Admin routes: read and force the circuit breakers; read each client's budget (spent, reserved, left, resets at).
import { Hono } from 'hono';
import * as z from 'zod';
import { announce, forgetLocalBreakers } from '../breaker/client.ts';
import type { AppEnv } from '../env.ts';
import { ProxyError } from '../errors.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { withConfig } from '../middleware/config.ts';
import { alertTarget } from '../observability/alerts.ts';
import { clientBudget, clientBudgets } from '../spend/report.ts';
import { withTimeout } from '../timeout.ts';
import { jsonBody, requireJson } from '../validation.ts';
import { runInBackground } from '../wait-until.ts';
import { describeProvider, modelsByProvider, statusReport } from './breaker-status.ts';

const NO_STORE = { 'cache-control': 'no-store' };

/** A forced write waits longer than a status read, but never forever. */
const FORCE_TIMEOUT_MS = 2000;

export const forceBodySchema = z.strictObject({ action: z.enum(['open', 'close', 'reset']) });
export type ForceBody = z.infer<typeof forceBodySchema>;

/**
 * `open` opens for `openMs` (times the backoff of its current re-opens), `close` closes and clears
 * the window, `reset` forgets everything. The answer is the provider's breaker after the action.
 */
export function adminRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use('/admin/*', withConfig(), adminAuth())
    .get('/admin/budgets', async (c) => {
      const now = Date.now();
      return c.json({ now, clients: await clientBudgets(c.env.BUDGET, c.get('config'), now) }, 200, NO_STORE);
    })
    .get('/admin/budgets/:client', async (c) => {
      // A key's name, or `jwt:<sub>` for a token client (read without its limits, which only its tokens carry).
      const name = c.req.param('client');
      const budget = await clientBudget(c.env.BUDGET, c.get('config'), name, Date.now());
      if (budget === undefined) {
        const message = `No client key "${name.slice(0, 64)}" is configured (token clients are named jwt:<sub>).`;
        throw new ProxyError(404, 'client_not_found', message, { param: 'client' });
      }
      return c.json(budget, 200, NO_STORE);
    })
    .get('/admin/breakers', async (c) => {
      const report = await statusReport(c.env.BREAKER, c.get('config'), c.env);
      return c.json(report, 200, { 'cache-control': 'no-store' });
    })
    .post('/admin/breakers/:provider', requireJson(), jsonBody(forceBodySchema), async (c) => {
      const config = c.get('config');
      const provider = c.req.param('provider');
      const resolved = config.providers.get(provider);
      if (resolved === undefined) {
        throw new ProxyError(404, 'provider_not_found', `No provider "${provider.slice(0, 64)}" is configured.`, { param: 'provider' });
      }
      const { action } = c.req.valid('json');
      if (c.env.BREAKER === undefined) throw new ProxyError(503, 'breaker_unavailable', 'This Worker has no BREAKER binding.');
      const stub = c.env.BREAKER.getByName(provider);
      const reply = await withTimeout(stub.apply({ type: 'force', action }, config.raw.breaker), FORCE_TIMEOUT_MS, 'breaker object').catch(
        () => {
          throw new ProxyError(
            503,
            'breaker_unavailable',
            `The breaker of "${provider}" did not answer; the action may not have been applied.`,
          );
        },
      );
      // This isolate's copy would otherwise keep routing on the old state for up to a second.
      forgetLocalBreakers(provider);
      announce(provider, reply, { waitUntil: (p) => runInBackground(c, p), alert: alertTarget(config.raw.alerts.webhookEnv, c.env) });
      const models = modelsByProvider(config).get(provider) ?? [];
      return c.json({ action, ...describeProvider(resolved, reply.state, models, c.env, Date.now()) }, 200, {
        'cache-control': 'no-store',
      });
    });
}
