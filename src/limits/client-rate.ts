// The per-client rpm's caller side: asks the client's ClientRateObject, spends what it leased, remembers a refusal.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { failOpen } from './fail-open.ts';
import { remember } from './memo.ts';
import type { ClientRateObject } from './rate-object.ts';
import { afterGrant, type Lease, plan } from './rpm-lease.ts';

// Nothing is admitted before a refusal's retryAt (admissions only add to the window), so a client
// hammering after a refusal is refused by this isolate alone until then: exact, and no object call.
const refusedUntil = new Map<string, number>();
// Admissions the object granted this isolate ahead, for the second they are counted in (rpm-lease.ts).
const leases = new Map<string, Lease>();

/**
 * The 429 for a client over its `rpm`, or undefined (also when the object fails: fail open). A
 * client calling faster than once a second here is granted a few admissions at a time, counted in
 * the object when granted, and spends them within that second without asking again; what is left
 * when the second is over goes back with the next ask (`background` gives back a rest no later ask
 * would carry). Every admission is counted in the object before it is used, so the limit stays
 * exact; a rest not yet given back only holds admissions back, at most one second's share.
 */
export async function rateRefusal(
  rates: DurableObjectNamespace<ClientRateObject> | undefined,
  client: Client,
  nowMs: number,
  background: (work: Promise<unknown>) => void,
): Promise<ProxyError | undefined> {
  const rpm = client.rpm;
  if (rpm === undefined) return undefined;
  const memo = `${client.name}\n${rpm}`;
  const until = refusedUntil.get(memo) ?? 0;
  if (nowMs < until) return refusal(rpm, Math.ceil((until - nowMs) / 1000));
  const next = plan(leases.get(memo), Math.floor(nowMs / 1000), rpm);
  if (next.lease !== undefined) leases.set(memo, next.lease);
  if (next.kind === 'spend') return undefined;
  const { want, back } = next;
  const reply = await failOpen('client_rate', rates && (() => rates.getByName(client.name).take(rpm, want, back)));
  if (reply === undefined) return undefined;
  if (!reply.ok) {
    remember(refusedUntil, memo, reply.retryAtMs);
    return refusal(rpm, reply.retryAfterSeconds);
  }
  const { lease, rest } = afterGrant(leases.get(memo), reply.second, reply.granted);
  remember(leases, memo, lease);
  if (rest !== undefined && rates !== undefined) {
    background(failOpen('client_rate', () => rates.getByName(client.name).refund(rest.second, rest.count)));
  }
  return undefined;
}

/**
 * The 429 of a client over its rpm. Its `Retry-After` never exceeds the 60-second window: the
 * window counts whole seconds, so the exact wait can reach 61 s, and a client that retries after 60
 * may be told to wait one second more.
 */
function refusal(rpm: number, retryAfterSeconds: number): ProxyError {
  return new ProxyError(429, 'rate_limit_exceeded', `This client is over its limit of ${rpm} requests a minute.`, {
    headers: { 'retry-after': String(Math.min(60, Math.max(1, retryAfterSeconds))) },
  });
}
