// Timers of one upstream attempt: a phase deadline (connect, first token, idle) and a hard stop.
import type { TimeoutPhase } from './fallback.ts';

/**
 * A timer that can be moved later without being re-created: when it fires early it re-arms
 * itself for the rest. Moving it on every stream event then costs no clearTimeout/setTimeout.
 */
class LazyTimer {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private at = 0;
  private readonly fire: () => void;
  constructor(fire: () => void) {
    this.fire = fire;
  }

  setAt(at: number): void {
    this.at = at;
    if (this.handle === undefined) this.schedule();
  }

  /** Pushes the due time later; cheap, for per-event idle deadlines. */
  moveTo(at: number): void {
    this.at = at;
  }

  clear(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        if (Date.now() < this.at) this.schedule();
        else this.fire();
      },
      Math.max(0, this.at - Date.now()),
    );
  }
}

/**
 * Owns the AbortController of one attempt. When a deadline passes it records which one, aborts the
 * fetch and calls `onExpire` (the stream reader cancels itself there). A client abort aborts too.
 */
export class AttemptClock {
  readonly controller = new AbortController();
  timedOut: TimeoutPhase | undefined;
  clientAborted = false;
  onExpire: (() => void) | undefined;
  private phase: TimeoutPhase = 'connect';
  private readonly phaseTimer = new LazyTimer(() => this.expire(this.phase));
  private hardPhase: TimeoutPhase = 'attempt';
  private readonly hardTimer = new LazyTimer(() => this.expire(this.hardPhase));
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

  /** Sets the hard stop of the attempt (attempt timeout or request deadline, whichever is first). */
  setHard(phase: TimeoutPhase, at: number): void {
    this.hardPhase = phase;
    this.hardTimer.setAt(at);
  }

  /** Starts a phase deadline at an absolute time, replacing the previous phase. */
  setPhase(phase: TimeoutPhase, at: number): void {
    this.phase = phase;
    this.phaseTimer.setAt(at);
  }

  /** Moves the current phase deadline later (idle timeout after each event). */
  extendPhase(at: number): void {
    this.phaseTimer.moveTo(at);
  }

  clearPhase(): void {
    this.phaseTimer.clear();
  }

  /** Releases timers and the client listener; the attempt is over. */
  stop(): void {
    this.phaseTimer.clear();
    this.hardTimer.clear();
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
