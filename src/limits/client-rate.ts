// The per-client rpm's caller side: asks the client's ClientRateObject, and remembers a refusal while it lasts.
import type { Client } from '../auth/client.ts';
import { ProxyError } from '../errors.ts';
import { failOpen } from './fail-open.ts';
import { remember } from './memo.ts';
import type { ClientRateObject } from './rate-object.ts';

// Nothing is admitted before a refusal's retryAt (admissions only add to the window), so a client
// hammering after a refusal is refused by this isolate alone until then: exact, and no object call.
const refusedUntil = new Map<string, number>();

/** The 429 for a client over its `rpm`, or undefined (also when the object fails: fail open). */
export async function rateRefusal(
  rates: DurableObjectNamespace<ClientRateObject> | undefined,
  client: Client,
  nowMs: number,
): Promise<ProxyError | undefined> {
  const rpm = client.rpm;
  if (rpm === undefined) return undefined;
  const memo = `${client.name}\n${rpm}`;
  const until = refusedUntil.get(memo) ?? 0;
  if (nowMs < until) return refusal(rpm, Math.ceil((until - nowMs) / 1000));
  const reply = await failOpen('client_rate', rates && (() => rates.getByName(client.name).take(rpm)));
  if (reply === undefined || reply.ok) return undefined;
  remember(refusedUntil, memo, reply.retryAtMs);
  return refusal(rpm, reply.retryAfterSeconds);
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
