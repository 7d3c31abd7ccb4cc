// The report's environment and method lines: what ran where, how each figure is measured, and what the CPU time includes.
import { cpus } from 'node:os';
import { BUDGET_TOKENS, MOCK_SCENARIO, STREAM_EVENTS } from './config.ts';
import type { PhaseLimits } from './load.ts';
import { CONCURRENCY, LAYER_CONCURRENCY } from './plan.ts';

/** The settings of one run, as the report states them. */
export interface RunSettings {
  workerd: string;
  wrangler: string;
  rounds: number;
  warmup: PhaseLimits;
  /** Bounds of one slice at each concurrency of CONCURRENCY. */
  slices: Record<(typeof CONCURRENCY)[number], PhaseLimits>;
  settleMs: number;
  dev: PhaseLimits;
}

/** Where and on what the run happened, and what the requests and answers were. */
export function environment(run: RunSettings): string[] {
  const cpu = cpus();
  return [
    `${new Date().toISOString()}, Node ${process.versions.node}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}; the load generator (this Node process), the mock vendor (Node), the Miniflare host (Node) and every workerd process share these cores`,
    `(a) straight to the mock vendor; (b), (c), (e)–(l) on ${run.workerd}, compatibility date, flags and bindings from wrangler.toml, each Miniflare instance its own workerd process: (b) the forwarder; (c) and (g) \`proxy\`; (e) \`proxy-cached\`; (f) \`proxy-no-breakers\`; (h), (i) and (j) \`proxy-keys\`; (k) \`proxy-ip-limit\`; (l) \`proxy-cache-miss\`; (d) ${run.wrangler} (\`wrangler dev\` child process, a different runtime setup)`,
    `request: one user message \`Say hello. (request 00000000)\` (the same length everywhere; (l) numbers its requests, so each is new to the cache), alias \`bench\` → one OpenAI-protocol target on the mock; answer: ${STREAM_EVENTS} word-sized pieces (mock scenario \`${MOCK_SCENARIO}\`): one JSON body, or a stream of ${STREAM_EVENTS} content events plus the role chunk, the finish chunk and \`[DONE]\` (the proxy also asks the vendor for its usage chunk, which the client did not ask for)`,
    'cache: (c), (d) and the layer targets other than (l) run with `"cache": {"enabled": false}`, so they measure the provider path; every proxy answer must carry `x-proxy-source: provider` ((e): `x-proxy-cache: HIT` and `x-proxy-source: cache`; (l): `x-proxy-cache: MISS`), else it counts as an error',
  ];
}

/** The slice bounds by concurrency, e.g. `≤ 1000 requests or ≤ 800 ms at c=1`. */
function sliceText(run: RunSettings): string {
  return CONCURRENCY.map((c) => `≤ ${run.slices[c].maxRequests} requests or ≤ ${run.slices[c].maxMs} ms at c=${c}`).join(', ');
}

/** Confidence that [min, max] of n independent figures holds their distribution's median: 1 − 2 × 0.5^n. */
export function ciPercent(n: number): string {
  return ((1 - 2 * 0.5 ** n) * 100).toFixed(1);
}

/** How the figures are measured, including what the CPU time covers. */
export function method(run: RunSettings): string[] {
  const [low = 1, high = 16] = LAYER_CONCURRENCY;
  return [
    'closed loop: c keep-alive connections (undici Pool), each sends its next request when the previous answer is fully read',
    `each phase (one mode, one concurrency): every target warmed up (≤ ${run.warmup.maxRequests} requests or ≤ ${run.warmup.maxMs} ms, discarded), then ${run.rounds} rounds; a round runs one slice per target (${sliceText(run)}), back to back, in reverse order every other round (a … l l … a); (a), (b), (c) and (e) run in every phase, the layer targets (f)–(k) non-streaming at c=${low} and c=${high}, (l) both modes at c=${low} and c=${high}; wrangler dev: ≤ ${run.dev.maxRequests} requests or ≤ ${run.dev.maxMs} ms in one go`,
    `per round: a target's slice gives its req/s (each connection's successful requests over its own time, first send to its last completion, summed over the c connections: the tail in which the last connections finish alone does not count against a slow target), p50, p99 (nearest rank), TTFT p50 and CPU per request; a comparison (proxy − forwarder, layer on − off) is taken within each round, and the tables give the median and the [min, max] of those per-round figures (were the rounds independent draws, [min, max] of ${run.rounds} would hold the true median with ${ciPercent(run.rounds)}% confidence, whatever the distribution: two runs whose ranges do not overlap differ by more than noise); the full tables pool every round`,
    `CPU per request: the CPU time (user + system, every thread) of the target's own workerd process, read from Linux /proc (the sum over its threads of /proc/<pid>/task/<tid>/schedstat, ns) just before each slice and ${run.settleMs} ms after its last answer, divided by the slice's requests. It is everything that process did meanwhile: workerd's own HTTP handling of both connections (the client's and the upstream one), Miniflare's entry Worker in front of every request, the Worker's JavaScript, its Durable Objects, KV and rate limiter (in the same process) and its background work (waitUntil) finished within the slice and the settle time. Nothing is subtracted. Targets sharing an instance ((c)/(g), (h)/(i)/(j)) are told apart by their slices only`,
    "the other processes, per request of the slice: host = the Miniflare host's Node process (reads every workerd's output, i.e. the proxy's log lines), mock = the mock vendor, generator = this load generator; cores busy = the four summed × req/s (2 cores: at c=64 the generator and the mock take a large share, so throughput ratios understate what workerd alone could do)",
    `(f): the same bundle without the Durable Object bindings: the proxy skips the circuit breakers when \`BREAKER\` is absent (PROXY_CONFIG has no switch for them); (i)'s key has \`dailyTokens\` and \`tpm\` of ${BUDGET_TOKENS.toLocaleString('en-US')} tokens (never reached): each request reserves its worst case from leases the isolate holds at the \`BUDGET\` objects and settles it when answered; (j)'s key has an \`rpm\` (never reached), one \`CLIENT_RATE\` object call per request; (k) sends \`cf-connecting-ip\` from a pool of addresses, none of which reaches the limit; Miniflare implements the \`IP_LIMITER\` binding as a SQLite-backed Durable Object called once per request, where Cloudflare counts near the Worker, so (k)'s cost is Miniflare's more than the edge's`,
    '(b) returns the upstream Response untouched, so workerd pipes its body natively; a Worker that reads the stream in JS (as the proxy must, to relay SSE) starts from a higher floor',
    "(e) and (l) pay Miniflare's local KV: each `get` and `put` is a call to a Durable Object in the same workerd, backed by SQLite and blob files in a temp dir, not Cloudflare's edge KV cache; the request key is a SHA-256 of the canonical request",
  ];
}
