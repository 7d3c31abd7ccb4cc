// Operational events (SPEC "Observability"): each its own JSON log line, and the same event to the alert webhook.
import { type AlertTarget, sendAlert } from './alerts.ts';

/** A breaker state as events and the status page name it. */
export type BreakerPhase = 'closed' | 'open' | 'half_open';

/** Which key of a provider's pool: 1-based position and pool size (today every pool holds one key). */
export interface KeySlot {
  position: number;
  pool: number;
}

/** Every event the proxy reports. Fields are built by the proxy itself: ids, names, statuses, codes; never a secret. */
export type ProxyEvent =
  | {
      event: 'breaker_state';
      provider: string;
      from: BreakerPhase;
      to: BreakerPhase;
      why: string;
      /** Epoch ms of the next probe, for a breaker that opened. */
      nextProbeAt?: number;
    }
  | {
      event: 'key_rejected';
      provider: string;
      /** The rejected key's slot; null when the provider is called without a key. */
      key: KeySlot | null;
      /** Name of the secret holding that key (a name, never its value). */
      keyEnv: string | null;
      status: number | null;
      /** `auth` (401/403, a key the vendor calls invalid) or `quota` (402, out of credit). */
      reason: 'auth' | 'quota';
      /** The attempt's cause, as on the request line (`http:401:invalid_api_key`). */
      error: string;
      requestId: string;
    }
  | { event: 'config_invalid'; issues: string[] }
  | {
      event: 'budget_exhausted';
      client: string;
      over: 'tokens' | 'usd';
      limit: number;
      used: number;
      /** Epoch ms of the next UTC midnight. */
      resetsAt: number;
    };

/** Where events go besides the log: the request's `waitUntil` and, when configured, the webhook. */
export interface EventSink {
  waitUntil: (promise: Promise<unknown>) => void;
  alert: AlertTarget | undefined;
}

type Level = 'info' | 'warn' | 'error';

/** `#2 of 3`, or `none` for a provider called without a key. */
export function keyLabel(key: KeySlot | null): string {
  return key === null ? 'none' : `#${key.position} of ${key.pool}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The log line of an event, as an object (pure): `level`, `msg`, `event`, then the event's own fields. */
export function eventLine(e: ProxyEvent): Record<string, unknown> & { level: Level; msg: string } {
  switch (e.event) {
    case 'breaker_state': {
      const line = {
        level: (e.to === 'open' ? 'warn' : 'info') as Level,
        msg: 'breaker state changed',
        event: e.event,
        provider: e.provider,
        from: e.from,
        to: e.to,
        why: e.why,
      };
      return e.nextProbeAt === undefined ? line : { ...line, nextProbeAt: iso(e.nextProbeAt) };
    }
    case 'key_rejected':
      return {
        level: 'error',
        msg: 'vendor rejected a key',
        event: e.event,
        category: 'configuration',
        provider: e.provider,
        key: keyLabel(e.key),
        keyPosition: e.key?.position ?? null,
        keyPoolSize: e.key?.pool ?? 0,
        keyEnv: e.keyEnv,
        status: e.status,
        reason: e.reason,
        error: e.error,
        requestId: e.requestId,
      };
    case 'config_invalid':
      return { level: 'error', msg: 'PROXY_CONFIG is invalid', event: e.event, issues: e.issues };
    case 'budget_exhausted':
      return {
        level: 'warn',
        msg: 'daily budget exhausted',
        event: e.event,
        client: e.client,
        over: e.over,
        limit: e.limit,
        used: e.used,
        resetsAt: iso(e.resetsAt),
      };
  }
}

/**
 * Writes the event's log line at its level and, when the sink has a webhook, sends the alert in
 * the background (at most one per subject per minute; see alerts.ts). Never throws.
 */
export function emit(e: ProxyEvent, sink?: EventSink): void {
  const line = eventLine(e);
  const text = JSON.stringify(line);
  if (line.level === 'error') console.error(text);
  else if (line.level === 'warn') console.warn(text);
  else console.log(text);
  if (sink?.alert !== undefined) sendAlert(e, sink.alert, sink.waitUntil);
}
