// Builds the proxy bundle with wrangler and runs it, and a minimal forwarding Worker, on workerd via Miniflare.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { V4MiniflareOptions } from 'miniflare';

/** The project root (where wrangler.toml and node_modules are). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Wrangler's CLI entry, run with this Node (the shebang's `node` may be an older one). */
export const WRANGLER_BIN = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** The Workers the worker host runs, by the names the bench and the host's JSON lines use (worker-host.ts says what each is). */
export const INSTANCES = ['forwarder', 'proxy', 'proxyCached', 'proxyNoBreakers', 'proxyKeys'] as const;
export type Instance = (typeof INSTANCES)[number];

/** The provider key the bench config names; any value works against the mock. */
export const BENCH_KEY = 'bench-key';

/**
 * The floor any Workers proxy pays: fetch the same path on `env.UPSTREAM` with the incoming
 * method, headers and body, and return the answer as it is (streams pass through).
 */
export const FORWARDER_SOURCE = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
  },
};
`;

/** Alias of the balance figure (g): `balance: "weighted"` over two targets on the mock, one per provider, weights 1 and 1. */
export const WEIGHTED_ALIAS = 'bench-weighted';

/**
 * Client keys of the `auth.mode = "keys"` instance, sent as `Authorization: Bearer <key>`: `free`
 * (h) has no limits, `budget` (i) has a daily and a per-minute token budget (BUDGET_TOKENS).
 */
export const CLIENT_KEYS = { free: 'bench-client-free', budget: 'bench-client-budget' } as const;

/** `dailyTokens` and `tpm` of the budget key: every request reserves and settles, none is ever refused. */
export const BUDGET_TOKENS = 1e12;

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What sets one bench config apart: the response cache, client keys (`auth.mode = "keys"`). */
export interface BenchConfigOptions {
  cache?: boolean;
  clientKeys?: boolean;
}

/**
 * PROXY_CONFIG for the bench: alias `bench` with one OpenAI-protocol target on the mock vendor, and
 * WEIGHTED_ALIAS over two providers on the same mock. The KV response cache is off unless `cache`,
 * so the proxy rows measure the provider path; anyone may call unless `clientKeys` (then only the
 * holders of CLIENT_KEYS).
 */
export function benchProxyConfig(mockOrigin: string, { cache = false, clientKeys = false }: BenchConfigOptions = {}): string {
  const provider = { protocol: 'openai', baseUrl: `${mockOrigin}/v1`, apiKeyEnv: 'BENCH_KEY' };
  const keys = [
    { name: 'bench-free', sha256: sha256Hex(CLIENT_KEYS.free) },
    { name: 'bench-budget', sha256: sha256Hex(CLIENT_KEYS.budget), dailyTokens: BUDGET_TOKENS, tpm: BUDGET_TOKENS },
  ];
  return JSON.stringify({
    providers: { mock: provider, mock2: provider },
    models: {
      bench: { targets: [{ provider: 'mock', model: 'mock-model' }] },
      [WEIGHTED_ALIAS]: {
        balance: 'weighted',
        targets: [
          { provider: 'mock', model: 'mock-model', weight: 1 },
          { provider: 'mock2', model: 'mock-model', weight: 1 },
        ],
      },
    },
    cache: { enabled: cache },
    ...(clientKeys ? { auth: { mode: 'keys', keys } } : {}),
  });
}

/**
 * Bundles the proxy exactly as `wrangler deploy` would (`--dry-run --outdir`) and returns the
 * path of the emitted main module.
 */
export async function buildProxyBundle(outdir: string): Promise<string> {
  const child = spawn(process.execPath, [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output.slice(-2000)}`);
  const files = (await readdir(outdir)).filter((f) => /\.(m?js)$/.test(f));
  const main = files.find((f) => /^index\.m?js$/.test(f)) ?? files[0];
  if (main === undefined) throw new Error(`wrangler emitted no JavaScript module in ${outdir}`);
  return path.join(outdir, main);
}

/** A Worker running on workerd via Miniflare. */
export interface RunningWorker {
  url: string;
  /** Lines the Worker wrote to stdout/stderr (console.log), drained and counted, never printed. */
  logLines(): number;
  dispose(): Promise<void>;
}

// miniflare and wrangler load lazily: only the worker host process needs them.
async function start(options: V4MiniflareOptions, counter: { lines: number }): Promise<RunningWorker> {
  const { Miniflare, convertV4MiniflareOptions } = await import('miniflare');
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  const url = await mf.ready;
  return { url: url.origin, logLines: () => counter.lines, dispose: () => mf.dispose() };
}

/** Shared options: loopback, a free port, Miniflare's own logging off, workerd output counted and dropped. */
async function shared(counter: { lines: number }) {
  const { NoOpLog } = await import('miniflare');
  return {
    host: '127.0.0.1',
    port: 0,
    log: new NoOpLog(),
    handleStructuredLogs: () => {
      counter.lines++;
    },
  };
}

/** Which proxy instance: the response cache on or off, the circuit breakers on or off, client keys or anyone. */
export interface ProxyVariant {
  cache: boolean;
  /**
   * With the `BREAKER` Durable Object binding of wrangler.toml (Miniflare's temporary storage), as
   * deployed; without it the proxy skips the breakers altogether (`env.BREAKER` undefined).
   */
  breakers: boolean;
  /** `auth.mode = "keys"` with CLIENT_KEYS (one without limits, one with budgets) instead of `none`. */
  clientKeys?: boolean;
}

/** The instance's name in Miniflare. */
function variantName({ cache, breakers, clientKeys }: ProxyVariant): string {
  if (cache) return 'proxy-cached';
  if (clientKeys) return 'proxy-keys';
  return breakers ? 'proxy' : 'proxy-no-breakers';
}

/**
 * Starts the proxy bundle on workerd with wrangler.toml's compatibility date, flags and bindings
 * (KV `CACHE` and, unless `breakers` is off, its Durable Objects: `BREAKER`, `BUDGET` ... in
 * Miniflare's temporary storage, gone on dispose), `PROXY_CONFIG` replaced by the bench config
 * (response cache on only when `cache`, client keys only when `clientKeys`) and `BENCH_KEY` set.
 */
export async function startProxyWorker(
  bundlePath: string,
  mockOrigin: string,
  variant: ProxyVariant = { cache: false, breakers: true },
): Promise<RunningWorker> {
  const { cache, breakers, clientKeys = false } = variant;
  // The bundle is one self-contained module: module rules (which Miniflare 5 cannot convert) are moot.
  const { modulesRules: _rules, durableObjects, ...fromConfig } = await wranglerWorkerOptions();
  const objects = durableObjects as Record<string, unknown> | undefined;
  if (breakers && objects?.BREAKER === undefined) {
    throw new Error('wrangler.toml has no BREAKER Durable Object binding: the "breakers on" instance would run without them');
  }
  if (clientKeys && (!breakers || objects?.BUDGET === undefined)) {
    throw new Error(
      'the client-keys instance needs the BUDGET Durable Object binding of wrangler.toml (and breakers on, which keeps the objects)',
    );
  }
  const counter = { lines: 0 };
  return start(
    {
      ...(await shared(counter)),
      ...fromConfig,
      ...(breakers ? { durableObjects } : {}),
      name: variantName(variant),
      modules: true,
      // Module names are relative to this root; the bundle lives in a temp dir outside the project.
      modulesRoot: path.dirname(bundlePath),
      scriptPath: bundlePath,
      bindings: { ...fromConfig.bindings, PROXY_CONFIG: benchProxyConfig(mockOrigin, { cache, clientKeys }), BENCH_KEY },
    } as V4MiniflareOptions,
    counter,
  );
}

/** Starts the minimal forwarder on workerd, same compatibility date and flags as the proxy. */
export async function startForwarderWorker(mockOrigin: string): Promise<RunningWorker> {
  const fromConfig = await wranglerWorkerOptions();
  const counter = { lines: 0 };
  return start(
    {
      ...(await shared(counter)),
      name: 'forwarder',
      compatibilityDate: fromConfig.compatibilityDate,
      compatibilityFlags: fromConfig.compatibilityFlags,
      modules: true,
      script: FORWARDER_SOURCE,
      bindings: { UPSTREAM: mockOrigin },
    },
    counter,
  );
}

/** The parts of wrangler's Miniflare options the bench reads by name; everything else is passed through. */
interface ConfigOptions {
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  bindings?: Record<string, unknown>;
  modulesRules?: unknown;
  durableObjects?: unknown;
  [option: string]: unknown;
}

/** Miniflare options wrangler derives from wrangler.toml (compatibility, bindings, KV, DOs), without the code. */
async function wranglerWorkerOptions(): Promise<ConfigOptions> {
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  return unstable_getMiniflareWorkerOptions(path.join(ROOT, 'wrangler.toml')).workerOptions as ConfigOptions;
}
