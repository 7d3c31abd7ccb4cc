// Which stored breaker changes are real transitions, and why they happened, in words for the event line. Pure.
import type { BreakerPhase } from '../observability/events.ts';
import { type BreakerEvent, type BreakerOptions, type BreakerState, phaseAt } from './policy.ts';

/** One transition: the state as it stood, the state after, and why. */
export interface BreakerChange {
  from: BreakerPhase;
  to: BreakerPhase;
  why: string;
  /** For a breaker that opened: when it lets a probe through (epoch ms). */
  nextProbeAt?: number;
}

/**
 * The transition `event` caused from `before` to `after`, or undefined when the breaker stands
 * where it stood at `now`. An open breaker whose time is up stands half-open: its first probe
 * makes the stored change (open to half-open), a failure then re-opens it (half-open to open).
 */
export function changeOf(
  before: BreakerState,
  after: BreakerState,
  event: BreakerEvent,
  now: number,
  options: BreakerOptions,
): BreakerChange | undefined {
  const from: BreakerPhase = before.state === 'open' && after.state === 'half_open' ? 'open' : phaseAt(before, now);
  if (from === after.state) return undefined;
  const change: BreakerChange = { from, to: after.state, why: reason(before, after, event, from, now, options) };
  if (after.state === 'open') change.nextProbeAt = after.openUntil;
  return change;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function reason(
  before: BreakerState,
  after: BreakerState,
  event: BreakerEvent,
  from: BreakerPhase,
  now: number,
  options: BreakerOptions,
): string {
  if (event.type === 'force') return `forced ${event.action} by an admin`;
  if (after.state === 'half_open') return event.type === 'probe' ? 'open time over; one probe let through' : 'open time over';
  if (after.state === 'closed') return event.type === 'success' ? 'a probe succeeded' : 'reset';
  const last = event.type === 'failure' ? event.kind : 'unknown';
  const openFor = `open for ${seconds(after.openUntil - now)}`;
  const hinted = event.type === 'failure' && event.retryAfterMs !== undefined && after.openUntil - now === event.retryAfterMs;
  const hold = hinted ? `${openFor} (the vendor's Retry-After)` : openFor;
  if (from === 'half_open') return `a probe failed (${last}); ${hold}, re-open #${after.reopens}`;
  const consecutive = before.consecutiveFailures + 1;
  if (consecutive >= options.consecutiveFailures) return `${consecutive} consecutive failures (last: ${last}); ${hold}`;
  const window = [...before.window, 1].slice(-options.windowSize);
  const failures = window.reduce((a, b) => a + b, 0);
  const rate = Math.round((failures / window.length) * 100);
  return `${failures} of the last ${window.length} calls failed (${rate}%, limit ${Math.round(options.failureRate * 100)}%; last: ${last}); ${hold}`;
}
