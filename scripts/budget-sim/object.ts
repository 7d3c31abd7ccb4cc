// The budget's Durable Object in the simulation: the real pure ledger, one call at a time, reached over a simulated network.
import { emptyLedger, type Ledger } from '../../src/spend/ledger.ts';
import type { Clock } from './clock.ts';
import type { CallKind, Metrics } from './metrics.ts';
import type { Random } from './random.ts';

/** The network between an isolate and the object, and the object's own time per call. */
export interface Network {
  /** Median round trip isolate → object → isolate, ms (log-normal). */
  rttMedianMs: number;
  rttSigma: number;
  /** Time the object spends on one call (it runs one at a time), ms. */
  serviceMs: number;
  /** A caller gives up after this long and goes ahead without an answer (fail open). */
  timeoutMs: number;
}

/**
 * The object: calls arrive after half a round trip, wait their turn (one call at a time, as a
 * Durable Object runs them), change the ledger when served, and answer after the other half.
 * A caller whose answer takes longer than `timeoutMs` gets `undefined` at its timeout, as
 * `failOpen` does; the object has applied the call anyway.
 */
export class BudgetObjectSim {
  ledger: Ledger = emptyLedger();
  private freeAt = 0;

  private readonly clock: Clock;
  private readonly random: Random;
  private readonly network: Network;
  private readonly metrics: Metrics;

  constructor(clock: Clock, random: Random, network: Network, metrics: Metrics) {
    this.clock = clock;
    this.random = random;
    this.network = network;
    this.metrics = metrics;
  }

  /** One call; `late` gets the result when it arrives after the caller's timeout (the object applied it all the same). */
  call<T>(kind: CallKind, apply: (now: number) => T, answer: (result: T | undefined) => void, late?: (result: T) => void): void {
    const { clock, network, metrics } = this;
    const sentAt = clock.now;
    metrics.call(kind, sentAt);
    const rtt = this.random.lognormal(network.rttMedianMs, network.rttSigma);
    let answered = false;
    const once = (result: T | undefined): void => {
      if (answered) return;
      answered = true;
      if (result === undefined) metrics.timeouts++;
      else metrics.slowestCallMs = Math.max(metrics.slowestCallMs, clock.now - sentAt);
      answer(result);
    };
    const timeoutAt = sentAt + network.timeoutMs;
    // The caller's timeout is an event only when the answer will be late (known once the call is queued).
    if (sentAt + rtt / 2 >= timeoutAt) clock.at(timeoutAt, () => once(undefined));
    clock.at(sentAt + rtt / 2, () => {
      const servedAt = Math.max(clock.now, this.freeAt) + network.serviceMs;
      this.freeAt = servedAt;
      if (servedAt + rtt / 2 > timeoutAt && clock.now < timeoutAt) clock.at(timeoutAt, () => once(undefined));
      clock.at(servedAt, () => {
        const result = apply(servedAt);
        clock.after(rtt / 2, () => {
          if (answered) late?.(result);
          else once(result);
        });
      });
    });
  }
}
