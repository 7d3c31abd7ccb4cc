// What the budget simulation counts: object calls, waits, refusals, and the truth (what was really spent and held).

/** The kinds of budget object calls: a lease asked on a request's critical path or in the background, a report, a settle. */
export type CallKind = 'reserveWait' | 'reserveRenew' | 'report' | 'settle';

/** Why a request was refused: by its isolate's memo of an earlier refusal, or by the object. */
export type RefusedBy = 'memo' | 'object';

export class Metrics {
  readonly calls: Record<CallKind, number> = { reserveWait: 0, reserveRenew: 0, report: 0, settle: 0 };
  /** Object calls sent, requests arrived and requests that waited, in the steady window (isolates warm, budget far from spent). */
  readonly steady = { calls: { reserveWait: 0, reserveRenew: 0, report: 0, settle: 0 } as Record<CallKind, number>, arrived: 0, waited: 0 };
  arrived = 0;
  admitted = 0;
  /** Requests that waited on an object call before they could be sent. */
  waited = 0;
  /** Requests let through without a reservation because the object did not answer in time (fail open). */
  unreserved = 0;
  timeouts = 0;
  readonly refused: Record<RefusedBy, number> = { memo: 0, object: 0 };
  /** Refusals while the budget minus what was really spent and really held by requests in flight could hold the request. */
  early = 0;
  /** The largest such unused room at a refusal, in tokens. */
  worstEarlyRoom = 0;
  /** Real use of the finished requests, and the worst cases of those in flight: the truth the ledger approximates. */
  trueSpent = 0;
  inFlightWorst = 0;
  /** The most that was ever spent plus held by admitted requests, and the time of the first refusal. */
  peakCommitted = 0;
  firstRefusalAt: number | undefined;
  /** The longest any object call took to answer, in ms (queueing included). */
  slowestCallMs = 0;

  readonly budget: number;
  /** The steady window, [from, until) in ms. */
  readonly window: { from: number; until: number };

  constructor(budget: number, window: { from: number; until: number }) {
    this.budget = budget;
    this.window = window;
  }

  steadyAt(now: number): boolean {
    return now >= this.window.from && now < this.window.until;
  }

  arrive(now: number): void {
    this.arrived++;
    if (this.steadyAt(now)) this.steady.arrived++;
  }

  wait(now: number): void {
    this.waited++;
    if (this.steadyAt(now)) this.steady.waited++;
  }

  call(kind: CallKind, now: number): void {
    this.calls[kind]++;
    if (this.steadyAt(now)) this.steady.calls[kind]++;
  }

  admit(worst: number): void {
    this.admitted++;
    this.inFlightWorst += worst;
    this.peakCommitted = Math.max(this.peakCommitted, this.trueSpent + this.inFlightWorst);
  }

  finish(worst: number, used: number): void {
    this.inFlightWorst -= worst;
    this.trueSpent += used;
  }

  refuse(by: RefusedBy, worst: number, now: number): void {
    this.refused[by]++;
    this.firstRefusalAt ??= now;
    const room = this.budget - this.trueSpent - this.inFlightWorst;
    if (room >= worst) {
      this.early++;
      this.worstEarlyRoom = Math.max(this.worstEarlyRoom, room);
    }
  }
}
