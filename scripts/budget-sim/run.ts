// Plays one scenario of the budget simulation: Poisson arrivals over the isolates and the budget's object, then what was counted.
import { Clock } from './clock.ts';
import type { Timing } from './constants.ts';
import { Isolate, type World } from './isolate.ts';
import { Metrics } from './metrics.ts';
import { BudgetObjectSim, type Network } from './object.ts';
import { Random } from './random.ts';
import { drawRequest, MEAN_USE, type Scenario } from './workload.ts';

/** Options of a run besides the scenario. */
export interface RunOptions {
  seed: number;
  timing: Timing;
  network: Network;
}

/** What a run measured. */
export interface RunResult {
  scenario: Scenario;
  metrics: Metrics;
  /** Holds at the object once every request finished and every report loop stopped (expired ones included). */
  holdsLeft: number;
  /** Spent at the object at the end (what the proxy believes), against metrics.trueSpent (what was used). */
  spentAtObject: number;
}

/**
 * The steady window: from two lease windows after the start (isolates warm) to the end; for a budget
 * that runs out, from the moment it is nearly spent to three quarters of the way to its end.
 */
export function steadyWindow(scenario: Scenario, openMs: number): { from: number; until: number } {
  const out = scenario.runsOut;
  if (out !== undefined) return { from: out.atSeconds * 1000, until: (out.atSeconds + out.leftSeconds * 0.75) * 1000 };
  return { from: Math.min(2 * openMs, scenario.seconds * 250), until: scenario.seconds * 1000 };
}

export function runScenario(scenario: Scenario, options: RunOptions): RunResult {
  const clock = new Clock();
  const random = new Random(options.seed);
  const metrics = new Metrics(scenario.budget, steadyWindow(scenario, options.timing.openMs));
  const object = new BudgetObjectSim(clock, new Random(options.seed ^ 0x5bd1e995), options.network, metrics);
  const world: World = {
    clock,
    object,
    timing: options.timing,
    limits: { tokens: scenario.budget },
    endsAt: 86_400_000,
    metrics,
  };
  const isolates = Array.from({ length: scenario.isolates }, () => new Isolate(world));
  const endMs = scenario.seconds * 1000;
  const meanGap = 1000 / scenario.rate;
  const arrive = (): void => {
    (isolates[random.below(isolates.length)] as Isolate).arrive(drawRequest(random));
    const next = clock.now + random.exponential(meanGap);
    if (next < endMs) clock.at(next, arrive);
  };
  clock.at(random.exponential(meanGap), arrive);
  const out = scenario.runsOut;
  if (out !== undefined) {
    clock.at(out.atSeconds * 1000, () => {
      // The day's spending so far, at once: what is left (spent and in flight counted) is leftSeconds of use.
      const left = scenario.rate * out.leftSeconds * MEAN_USE;
      const jump = Math.max(0, scenario.budget - metrics.trueSpent - metrics.inFlightWorst - left);
      object.ledger = { ...object.ledger, spent: { ...object.ledger.spent, tokens: object.ledger.spent.tokens + jump } };
      metrics.trueSpent += jump;
    });
  }
  clock.run();
  return { scenario, metrics, holdsLeft: Object.keys(object.ledger.held).length, spentAtObject: object.ledger.spent.tokens };
}
