// The alert webhook: events POSTed as small JSON (Slack's `text` plus structured fields), one per subject per minute.
import type { ProxyEvent } from './events.ts';
import { writeWarning } from './log.ts';

/** Where alerts go: the URL read from the secret `alerts.webhookEnv` names. */
export interface AlertTarget {
  url: string;
}

/** What the webhook receives. Slack shows `text`; other receivers read the rest. */
export interface AlertPayload {
  text: string;
  event: ProxyEvent['event'];
  subject: string;
  severity: 'info' | 'warning' | 'error';
  /** ISO time the event happened. */
  at: string;
  /** Alerts of the same subject this isolate held back in the minute before this one. */
  suppressed: number;
  fields: Record<string, unknown>;
}

/** At most one alert per subject per this many ms, per isolate. */
export const ALERT_INTERVAL_MS = 60_000;
const SEND_TIMEOUT_MS = 5000;
const MAX_SUBJECTS = 500;

/** The webhook of `webhookEnv` in `env`, when that secret holds an http(s) URL. */
export function alertTarget(webhookEnv: string, env: object): AlertTarget | undefined {
  const value = (env as Record<string, unknown>)[webhookEnv];
  if (typeof value !== 'string' || !/^https?:\/\//.test(value)) return undefined;
  return { url: value };
}

/**
 * What an alert is about, for the once-a-minute rule: one provider's breaker reaching one state,
 * one key of one provider, one client's budget, the config.
 */
export function subjectOf(e: ProxyEvent): string {
  switch (e.event) {
    case 'breaker_state':
      return `breaker:${e.provider}:${e.to}`;
    case 'key_rejected':
      return `key:${e.provider}:${e.key?.position ?? 0}`;
    case 'budget_exhausted':
      return `budget:${e.client}`;
    case 'config_invalid':
      return 'config';
  }
}

function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

function sentence(e: ProxyEvent): { text: string; severity: AlertPayload['severity'] } {
  switch (e.event) {
    case 'breaker_state': {
      const probe = e.nextProbeAt === undefined ? '' : ` Next probe at ${clock(e.nextProbeAt)}.`;
      const verb = e.to === 'open' ? 'opened' : e.to === 'closed' ? 'closed' : 'is half-open';
      return { text: `Breaker of provider "${e.provider}" ${verb}: ${e.why}.${probe}`, severity: e.to === 'open' ? 'warning' : 'info' };
    }
    case 'key_rejected': {
      const key = e.key === null ? 'the call without a key' : `key #${e.key.position} of ${e.key.pool}${e.keyEnv ? ` (${e.keyEnv})` : ''}`;
      return {
        text: `Provider "${e.provider}" rejected ${key}: ${e.error}. Its targets are skipped until the key works.`,
        severity: 'error',
      };
    }
    case 'config_invalid': {
      const shown = e.issues.slice(0, 5).join('; ');
      const more = e.issues.length > 5 ? ` (and ${e.issues.length - 5} more)` : '';
      return {
        text: `PROXY_CONFIG is invalid: ${shown}${more}. Model routes answer 500 and /healthz 503 until it is fixed.`,
        severity: 'error',
      };
    }
    case 'budget_exhausted': {
      const amount = (n: number) => (e.over === 'usd' ? `$${n.toFixed(2)}` : `${n} tokens`);
      return {
        text: `Client "${e.client}" used its daily budget of ${amount(e.limit)} (${amount(e.used)}); it is refused until ${clock(e.resetsAt)}.`,
        severity: 'warning',
      };
    }
  }
}

/** The JSON an event is POSTed as (pure). `fields` are the event's own, times as ISO strings. */
export function alertPayload(e: ProxyEvent, now: number, suppressed: number): AlertPayload {
  const { text, severity } = sentence(e);
  const { event, ...rest } = e;
  const fields: Record<string, unknown> = { ...rest };
  for (const name of ['nextProbeAt', 'resetsAt'] as const) {
    if (typeof fields[name] === 'number') fields[name] = new Date(fields[name]).toISOString();
  }
  return { text: `LLM proxy: ${text}`, event, subject: subjectOf(e), severity, at: new Date(now).toISOString(), suppressed, fields };
}

/** The once-per-subject-per-interval rule; `take` says whether to send now and how many were held back before. */
export class AlertThrottle {
  private readonly last = new Map<string, { sentAt: number; held: number }>();

  constructor(private readonly intervalMs = ALERT_INTERVAL_MS) {}

  take(subject: string, now: number): { send: boolean; suppressed: number } {
    const seen = this.last.get(subject);
    if (seen !== undefined && now - seen.sentAt < this.intervalMs) {
      seen.held += 1;
      return { send: false, suppressed: 0 };
    }
    this.last.delete(subject);
    if (this.last.size >= MAX_SUBJECTS) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    this.last.set(subject, { sentAt: now, held: 0 });
    return { send: true, suppressed: seen?.held ?? 0 };
  }
}

// Shared by every request of this isolate: the limit is per isolate (docs/operations.md says so).
const throttle = new AlertThrottle();

/**
 * POSTs the event to the webhook in the background, unless its subject was alerted in the last
 * minute. A failure is logged (status or error name, never the URL, which is a secret) and never
 * reaches the request.
 */
export function sendAlert(e: ProxyEvent, target: AlertTarget, waitUntil: (promise: Promise<unknown>) => void, now = Date.now()): void {
  const subject = subjectOf(e);
  const { send, suppressed } = throttle.take(subject, now);
  if (!send) return;
  const body = JSON.stringify(alertPayload(e, now, suppressed));
  const post = async (): Promise<void> => {
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) writeWarning('alert webhook refused the alert', { event: e.event, subject, status: res.status });
    } catch (err) {
      writeWarning('alert webhook unreachable', { event: e.event, subject, error: err instanceof Error ? err.name : 'unknown' });
    }
  };
  waitUntil(post());
}
