// Timers of one upstream attempt: a phase deadline (connect, first token, idle) and a hard stop.
import type { TimeoutPhase } from '../pipeline/fallback.ts';
import { clearTimer } from '../timeout.ts';

/**
 * Owns the AbortController of one attempt. When a deadline passes it records which one, aborts the
 * fetch and calls `onExpire` (the stream reader cancels itself there). A client abort aborts too.
 * Timers take durations, not absolute times: inside workerd, Date.now() only moves on I/O.
 */
export class AttemptClock {
  readonly controller = new AbortController();
  timedOut: TimeoutPhase | undefined;
  clientAborted = false;
  onExpire: (() => void) | undefined;
  private phase: TimeoutPhase = 'connect';
  private phaseTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current phase's length, and when it last started again (see `touch`). */
  private phaseMs = 0;
  private touchedAt = 0;
  private hardPhase: TimeoutPhase = 'attempt';
  private hardTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly clientSignal: AbortSignal | undefined;
  private readonly onClientAbort = (): void => {
    this.clientAborted = true;
    this.abort();
  };

  constructor(clientSignal?: AbortSignal) {
    this.clientSignal = clientSignal;
    if (clientSignal?.aborted) this.onClientAbort();
    else clientSignal?.addEventListener('abort', this.onClientAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Sets the hard stop of the attempt, `ms` from now (attempt timeout or request deadline). */
  setHard(phase: TimeoutPhase, ms: number): void {
    clearTimer(this.hardTimer);
    this.hardPhase = phase;
    this.hardTimer = setTimeout(() => this.expire(this.hardPhase), Math.max(0, ms));
  }

  /** Starts a phase deadline `ms` from now, replacing the previous phase's. */
  setPhase(phase: TimeoutPhase, ms: number): void {
    clearTimer(this.phaseTimer);
    this.phase = phase;
    this.phaseMs = ms;
    this.touchedAt = Date.now();
    this.phaseTimer = setTimeout(() => this.phaseDue(), Math.max(0, ms));
  }

  /**
   * Starts the phase's deadline again, `ms` from now, as `setPhase`, but without touching a timer
   * when the same phase of the same length is running: a stream does this on every event, so the
   * armed timer is moved on only when it fires early. (Date.now() has moved with the I/O that
   * brought the event, which is all this reads.)
   */
  touch(phase: TimeoutPhase, ms: number): void {
    if (this.phaseTimer === undefined || phase !== this.phase || ms !== this.phaseMs) this.setPhase(phase, ms);
    else this.touchedAt = Date.now();
  }

  /** The phase timer fired: the phase is over unless it was touched since, then it waits for the rest. */
  private phaseDue(): void {
    const left = this.touchedAt + this.phaseMs - Date.now();
    if (left > 0) this.phaseTimer = setTimeout(() => this.phaseDue(), left);
    else this.expire(this.phase);
  }

  /** Releases timers and the client listener; the attempt is over. */
  stop(): void {
    clearTimer(this.phaseTimer);
    this.phaseTimer = undefined;
    clearTimer(this.hardTimer);
    this.clientSignal?.removeEventListener('abort', this.onClientAbort);
  }

  /** Aborts the upstream call (client gone, or the relay is done with it). */
  abort(): void {
    if (!this.controller.signal.aborted) this.controller.abort();
    this.onExpire?.();
  }

  private expire(phase: TimeoutPhase): void {
    if (this.timedOut !== undefined || this.clientAborted) return;
    this.timedOut = phase;
    this.stop();
    this.abort();
  }
}
