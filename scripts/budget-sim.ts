// `npm run sim:budget`: what budget leases cost and how early they refuse, for a client at 10, 1,000 and 10,000 requests a
// second spread over many isolates. Discrete-event and seeded: simulated time, the real ledger and lease functions
// (src/spend/ledger.ts, lease.ts) and a step-by-step mirror of src/spend/reservations.ts (scripts/budget-sim/isolate.ts).
//
// Usage: npm run sim:budget [-- --seed 15]
import { parseArgs } from 'node:util';
import { timingFromSource } from './budget-sim/constants.ts';
import type { Network } from './budget-sim/object.ts';
import { runScenario, steadyWindow } from './budget-sim/run.ts';
import { costTable, refusalTable } from './budget-sim/table.ts';
import {
  DURATION,
  dayStart,
  ESTIMATE,
  EXHAUSTED_AT,
  INPUT_SHARE,
  MEAN_USE,
  MEAN_WORST,
  OUTPUT_LIMIT,
  OUTPUT_MEAN,
  runningOut,
  type Scenario,
} from './budget-sim/workload.ts';

/**
 * Each rate over the isolates a global client of that size plausibly reaches (Cloudflare runs a Worker
 * in an isolate per machine, in every location its callers are near): a 10 req/s app's users in a few
 * locations, 1 req/s per isolate; 1,000 req/s over 100 isolates (10 each); 10,000 req/s over 500 (20 each).
 * Each is run twice: from the start of the day with a day's budget (what leases cost), and with a budget
 * that runs out during the run (how early they refuse). What is left after the warm-up is more than the isolates' leases hold, so the
 * early refusal measured is theirs, not the run's. The whole script runs for about four minutes.
 */
const CLIENTS = [
  { rate: 10, isolates: 10, day: 600, out: 1800 },
  { rate: 1000, isolates: 100, day: 60, out: 110 },
  { rate: 10_000, isolates: 500, day: 30, out: 80 },
];
/** Seconds of warm-up before the budget is nearly spent: two lease windows. */
const WARM = 20;

/** A Durable Object call within a region: ~20 ms round trip (log-normal, 95% under ~55 ms), 1 ms of the object's time each (~1,000 calls/s). */
const NETWORK: Omit<Network, 'timeoutMs'> = { rttMedianMs: 20, rttSigma: 0.6, serviceMs: 1 };

const { values } = parseArgs({ options: { seed: { type: 'string', default: '15' } } });
const seed = Number(values.seed);
const timing = timingFromSource();
const started = performance.now();
const run = (s: Scenario) => runScenario(s, { seed, timing, network: { ...NETWORK, timeoutMs: timing.timeoutMs } });
const costs = CLIENTS.map((c) => run(dayStart(c.rate, c.isolates, c.day)));
const outs = CLIENTS.map((c) => run(runningOut(c.rate, c.isolates, WARM, c.out)));
const window = steadyWindow(dayStart(10, 10, CLIENTS[0]?.day ?? 0), timing.openMs);

console.log(`# Budget leases, simulated (seed ${seed})

## From the start of the day: what leases cost

${costTable(costs).join('\n')}

## As the budget runs out: how early leases refuse, and whether the budget holds

${refusalTable(outs).join('\n')}
`);
console.log(`- Requests: Poisson arrivals, each to an isolate drawn at random. Worst case = estimated input (uniform ${ESTIMATE.low}–${ESTIMATE.high} tokens) + the client's output cap ${OUTPUT_LIMIT} (mean ${Math.round(MEAN_WORST)}); real use = input × U(${INPUT_SHARE.low}, ${INPUT_SHARE.high}) + output ~ exponential, mean ${OUTPUT_MEAN}, cut at ${OUTPUT_LIMIT} (mean ${Math.round(MEAN_USE)}); a request runs log-normal ${DURATION.median / 1000} s median (σ ${DURATION.sigma}) once admitted.
- Every run starts with every isolate cold, as at UTC midnight (or each minute for tpm). In the first table the budget holds a day of the client's use; in the second, after ${WARM} s (isolates warm, holding leases), spending jumps to leave ${EXHAUSTED_AT * 100}% of the rest of the run's use.
- Budget object: one call at a time, ${NETWORK.serviceMs} ms each; round trip log-normal, median ${NETWORK.rttMedianMs} ms (σ ${NETWORK.rttSigma}); a caller waits at most ${timing.timeoutMs} ms, then goes ahead unreserved (fail open); a grant that arrives later joins its isolate's leases.
- Lease open ${timing.openMs / 1000} s, reports every ${timing.reportMs / 1000} s (one call for all of an isolate's leases), a brief refusal remembered ${timing.briefRefusalMs / 1000} s, holds kept ${timing.holdMs / 1000} s past their window: read from src/.
- Calls /s and waits: in the steady window (after ${window.from / 1000} s of warm-up; in the second table, from the jump to three quarters of the way to the budget's end); "run:" is the whole run, cold start included.
- Refused early: refused while budget − real use of finished requests − worst cases of requests in flight ≥ the request's worst case; the room is that difference, also in seconds of the client's mean use.
- Ran in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
