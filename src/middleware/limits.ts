// Rate limits and the spend guard (SPEC "Browser safety"): per IP before auth, per client after it.
import type { Context } from 'hono';
import type { Client } from '../auth/client.ts';
import type { AppEnv } from '../env.ts';
import { ProxyError } from '../errors.ts';
import { rateRefusal } from '../limits/client-rate.ts';
import { failOpen } from '../limits/fail-open.ts';
import { ipDelta, ipKey, secondsToNextMinute } from '../limits/ip.ts';
import { remember } from '../limits/memo.ts';
import { runInBackground } from '../wait-until.ts';

// An address the binding refused stays refused by this isolate, without asking it, until the
// minute its Retry-After names: under a flood (key guessing) each refused request costs no call.
const ipRefusedUntil = new Map<string, number>();

/**
 * `limits.ipRpm` per caller IP (`cf-connecting-ip`), on the IP_LIMITER Rate Limiting binding:
 * approximate (counted per Cloudflare location, in fixed windows), cheap, and in front of auth so
 * that key guessing is throttled too. Requests without the header (never the case on Cloudflare)
 * are not limited. 429 with a `Retry-After` up to the next minute, and until then the address is
 * refused again without a call to the binding. Nothing is done at all when the limit is off.
 */
export async function limitIp(c: Context<AppEnv>, ipRpm: number): Promise<void> {
  const address = c.req.header('cf-connecting-ip');
  if (ipRpm <= 0 || address === undefined || address === '') return;
  const key = ipKey(address);
  const now = Date.now();
  const until = ipRefusedUntil.get(key);
  if (until !== undefined && now < until) throw ipRefusal(ipRpm, Math.ceil((until - now) / 1000));
  const limiter = c.env.IP_LIMITER;
  const outcome = await failOpen('ip', limiter && (() => limiter.limit({ key, delta: ipDelta(ipRpm) })));
  if (outcome !== undefined && !outcome.success) {
    const wait = secondsToNextMinute(now);
    remember(ipRefusedUntil, key, now + wait * 1000);
    throw ipRefusal(ipRpm, wait);
  }
}

function ipRefusal(ipRpm: number, retryAfterSeconds: number): ProxyError {
  return new ProxyError(429, 'ip_rate_limit_exceeded', `Too many requests from this address: the limit is ${ipRpm} a minute.`, {
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
}

/**
 * The client's `rpm` (exact, one ClientRateObject per client); a refusal already known to this
 * isolate is answered without asking, and a busy client spends admissions granted ahead for the
 * current second without asking (limits/client-rate.ts, limits/rpm-lease.ts). A request counts
 * against `rpm` once admitted by it, even if it is refused later (budget, validation). The object
 * failing lets the request through (logged). Budgets (`tpm`, daily) are reserved later, by the
 * pipeline, once the request's worst case is known (pipeline/budget.ts). Call it only for a client
 * with an `rpm`.
 */
export async function limitClient(c: Context<AppEnv>, client: Client): Promise<void> {
  const refusal = await rateRefusal(c.env.CLIENT_RATE, client, Date.now(), (work) => runInBackground(c, work));
  if (refusal !== undefined) throw refusal;
}
