// The HTML status page: one table row per provider, server-rendered with Hono JSX, no client script.
import type { ProviderStatus, StatusReport } from './breaker-status.ts';

/** Seconds between the page's own reloads. */
export const REFRESH_SECONDS = 5;

type Tone = 'ok' | 'warn' | 'bad' | 'none';

/** The state in words a person reads at a glance, and its colour. */
export function stateLabel(p: ProviderStatus, now: number): { text: string; tone: Tone } {
  switch (p.state) {
    case 'closed':
      return p.failureRate !== null && p.failureRate > 0
        ? { text: `closed — ${percent(p.failureRate)} failing`, tone: 'warn' }
        : { text: 'closed — healthy', tone: 'ok' };
    case 'open':
      return { text: `open — next probe in ${seconds((p.nextProbeAt ?? now) - now)}`, tone: 'bad' };
    case 'half_open':
      return { text: 'half-open — probing', tone: 'warn' };
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

function latency(p: ProviderStatus): string {
  const { p50, p95 } = p.latencyMs;
  if (p50 === null || p95 === null) return '—';
  return `${Math.round(p50)} ms / ${Math.round(p95)} ms`;
}

function failures(p: ProviderStatus): string {
  if (p.failureRate === null || p.windowCalls === null) return '—';
  if (p.windowCalls === 0) return 'no calls';
  return `${percent(p.failureRate)} of ${p.windowCalls}`;
}

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24;background:#f6f8fa}
h1{font-size:1.4rem;margin:0 0 .25rem}
p.meta{color:#57606a;margin:0 0 1.25rem}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.12);min-width:60rem}
th,td{text-align:left;padding:.6rem .9rem;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em;color:#424a53}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.state{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600;white-space:nowrap}
.ok{background:#dafbe1;color:#116329}
.warn{background:#fff1c2;color:#7d4e00}
.bad{background:#ffebe9;color:#a40e26}
.none{background:#eaeef2;color:#424a53}
.muted{color:#6e7781;font-size:.85rem}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
`;

function Row({ p, now }: { p: ProviderStatus; now: number }) {
  const label = stateLabel(p, now);
  return (
    <tr data-provider={p.provider} data-state={p.state}>
      <td>
        <code>{p.provider}</code>
      </td>
      <td>
        <span class={`state ${label.tone}`}>{label.text}</span>
        {p.probesInFlight !== null && p.probesInFlight > 0 ? <div class="muted">{`${p.probesInFlight} probe in flight`}</div> : null}
      </td>
      <td class="num">{failures(p)}</td>
      <td class="num">{latency(p)}</td>
      <td>
        {p.lastError === null ? (
          '—'
        ) : (
          <>
            <code>{p.lastError.kind}</code> <span class="muted">{ago(p.lastError.at, now)}</span>
          </>
        )}
      </td>
      <td class="num">{p.reopens ?? '—'}</td>
      <td>{p.models.length === 0 ? <span class="muted">none</span> : p.models.join(', ')}</td>
    </tr>
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
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <h1>LLM proxy status</h1>
        <p class="meta">
          {`Circuit breakers of ${providers.length} provider${providers.length === 1 ? '' : 's'} at ${utc(now)}. `}
          {`This page refreshes every ${REFRESH_SECONDS} s.`}
        </p>
        <table>
          <thead>
            <tr>
              <th>Provider</th>
              <th>State</th>
              <th>Failures (window)</th>
              <th>Latency p50 / p95</th>
              <th>Last error</th>
              <th>Re-opens</th>
              <th>Model aliases</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => (
              <Row p={p} now={now} />
            ))}
          </tbody>
        </table>
      </body>
    </html>
  );
}
