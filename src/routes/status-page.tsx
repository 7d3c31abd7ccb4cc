// The HTML status page: one row per provider, then the day's spend for the admin; server-rendered with Hono JSX, no script.
import type { SpendReport } from '../spend/report.ts';
import type { ProviderStatus, StatusReport } from './breaker-status.ts';
import { STATUS_CSS } from './status-style.ts';

/** Seconds between the page's own reloads. */
export const REFRESH_SECONDS = 5;

type Tone = 'ok' | 'warn' | 'bad' | 'none';

/** The verdict in words a person reads at a glance, and its colour. A provider without a usable key is never green. */
export function healthLabel(p: ProviderStatus, now: number): { text: string; tone: Tone } {
  switch (p.health) {
    case 'healthy':
      return { text: 'healthy', tone: 'ok' };
    case 'degraded':
      return { text: `degraded — ${percent(p.successRate === null ? (p.failureRate ?? 0) : 1 - p.successRate)} failing`, tone: 'warn' };
    case 'idle':
      return { text: 'no traffic yet', tone: 'none' };
    case 'probing':
      return { text: 'half-open — probing', tone: 'warn' };
    case 'down':
      return { text: `open — next probe in ${seconds((p.nextProbeAt ?? now) - now)}`, tone: 'bad' };
    case 'no_key':
      return { text: 'no key — not usable', tone: 'bad' };
    case 'key_rejected':
      return { text: 'key rejected — not usable', tone: 'bad' };
    case 'unknown':
      return { text: 'unknown — breaker not reachable', tone: 'none' };
  }
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

/** "12 s ago", "4 min ago", "3 h ago", "2 d ago". */
function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** "2026-11-23 13:04:58 UTC". */
function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function pair({ p50, p95 }: { p50: number | null; p95: number | null }): string {
  if (p50 === null || p95 === null) return '—';
  return `${Math.round(p50)} ms / ${Math.round(p95)} ms`;
}

function breaker(p: ProviderStatus, now: number): string {
  switch (p.state) {
    case 'closed':
      return p.windowCalls && p.failureRate ? `closed, ${percent(p.failureRate)} of ${p.windowCalls} failed` : 'closed';
    case 'open':
      return `open, probe in ${seconds((p.nextProbeAt ?? now) - now)}`;
    case 'half_open':
      return p.probesInFlight ? `half-open, ${p.probesInFlight} probe in flight` : 'half-open';
    case 'unknown':
      return '—';
  }
}

function success(p: ProviderStatus): string {
  if (p.successRate === null || p.recentCalls === null) return p.recentCalls === 0 ? 'no calls yet' : '—';
  return `${percent(p.successRate)} of ${p.recentCalls}`;
}

function rescues(p: ProviderStatus): string {
  if (p.rescues === null) return '—';
  const { rescued, rescuer } = p.rescues;
  if (rescued === 0 && rescuer === 0) return 'none';
  return `${rescued} rescued · ${rescuer} continued`;
}

function Key({ p, now }: { p: ProviderStatus; now: number }) {
  const { key } = p;
  if (key.state === 'none_needed' && key.rejected === null) return <span class="muted">none needed</span>;
  const name = key.env === null ? null : <code>{key.env}</code>;
  if (key.state === 'missing') return <span class="bad-text">{name} not set</span>;
  const slot = (k: { position: number; pool: number }) => (key.pool > 1 ? ` #${k.position} of ${k.pool}` : '');
  const notes = [
    ...key.missing.map((position) => `#${position} of ${key.pool} not set`),
    ...key.setAside.map((k) => `#${k.position} of ${k.pool} set aside${k.status === null ? '' : ` (${k.status})`} ${ago(k.at, now)}`),
  ];
  const pool = notes.length === 0 ? null : <div class="muted">{notes.join('; ')}</div>;
  if (key.rejected !== null) {
    const status = key.rejected.status === null ? '' : ` (${key.rejected.status})`;
    return (
      <span class="bad-text">
        {name} {`rejected${slot(key.rejected)}${status} ${ago(key.rejected.at, now)}`}
        {pool}
      </span>
    );
  }
  return (
    <span>
      {name} set{key.pool > 1 ? ` (${key.pool} keys)` : ''}
      {pool}
    </span>
  );
}

function Row({ p, now }: { p: ProviderStatus; now: number }) {
  const label = healthLabel(p, now);
  return (
    <tr data-provider={p.provider} data-health={p.health} data-state={p.state} data-usable={String(p.usable)}>
      <td>
        <code>{p.provider}</code>
      </td>
      <td>
        <span class={`state ${label.tone}`}>{label.text}</span>
      </td>
      <td>{breaker(p, now)}</td>
      <td class="num">{success(p)}</td>
      <td class="num">{pair(p.latencyMs)}</td>
      <td class="num">{pair(p.ttftMs)}</td>
      <td class="num">{rescues(p)}</td>
      <td>
        <Key p={p} now={now} />
      </td>
      <td>
        {p.lastError === null ? (
          '—'
        ) : (
          <>
            <code>{p.lastError.kind}</code> <span class="muted">{ago(p.lastError.at, now)}</span>
          </>
        )}
      </td>
      <td>{p.models.length === 0 ? <span class="muted">none</span> : p.models.join(', ')}</td>
    </tr>
  );
}

function amount(used: number | null, limit: number | undefined, format: (n: number) => string): string {
  if (used === null) return 'unknown';
  return limit === undefined ? format(used) : `${format(used)} of ${format(limit)}`;
}

function Spend({ spend }: { spend: SpendReport }) {
  const tokens = (n: number) => `${n.toLocaleString('en-US')} tokens`;
  const usd = (n: number) => `$${n.toFixed(4)}`;
  return (
    <section>
      <h2>{`Spend today (${spend.day}, resets at 00:00 UTC)`}</h2>
      {spend.clients.length === 0 ? (
        <p class="muted">No client key has a daily budget (dailyTokens or dailyUsd); only those are recorded.</p>
      ) : (
        <table class="spend">
          <thead>
            <tr>
              <th>Client</th>
              <th>Tokens</th>
              <th>USD</th>
              <th>Held now</th>
            </tr>
          </thead>
          <tbody>
            {spend.clients.map((s) => (
              <tr data-client={s.client}>
                <td>
                  <code>{s.client}</code>
                </td>
                <td class="num">{amount(s.tokens, s.budget.tokens, tokens)}</td>
                <td class="num">{amount(s.usd, s.budget.usd, usd)}</td>
                <td class="num">{s.reserved === null ? '—' : `${tokens(s.reserved.tokens)}, ${usd(s.reserved.usd)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The whole page. Every value goes through JSX, which escapes it. */
export function StatusPage({ report }: { report: StatusReport }) {
  const { now, providers } = report;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content={String(REFRESH_SECONDS)} />
        <title>LLM proxy status</title>
        {/* JSX would escape the quotes of a constant stylesheet into entities, which CSS does not decode. */}
        <style dangerouslySetInnerHTML={{ __html: STATUS_CSS }} />
      </head>
      <body>
        <h1>LLM proxy status</h1>
        <p class="meta">
          {`${providers.length} provider${providers.length === 1 ? '' : 's'} at ${utc(now)}; figures over each provider's last 50 calls. `}
          {`This page refreshes every ${REFRESH_SECONDS} s.`}
        </p>
        <table class="providers">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Health</th>
              <th>Breaker</th>
              <th>Success</th>
              <th>Latency p50 / p95</th>
              <th>First token p50 / p95</th>
              <th>Stream rescues</th>
              <th>Key</th>
              <th>Last error</th>
              <th>Model aliases</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => (
              <Row p={p} now={now} />
            ))}
          </tbody>
        </table>
        {report.spend === undefined ? null : <Spend spend={report.spend} />}
      </body>
    </html>
  );
}
