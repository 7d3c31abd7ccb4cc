// Builds the proxy bundle with wrangler and runs it, and a minimal forwarding Worker, on workerd via Miniflare.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { V4MiniflareOptions } from 'miniflare';
import { BENCH_KEY, benchProxyConfig, IP_RPM, scenarioOrigin } from './config.ts';

/** The project root (where wrangler.toml and node_modules are). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Wrangler's CLI entry, run with this Node (the shebang's `node` may be an older one). */
export const WRANGLER_BIN = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** The Workers the worker host runs, by the names the bench and the host's JSON lines use (PROXY_VARIANTS says what each proxy is). */
export const INSTANCES = ['forwarder', 'proxy', 'proxyCached', 'proxyNoBreakers', 'proxyKeys', 'proxyIpLimit', 'proxyCacheMiss'] as const;
export type Instance = (typeof INSTANCES)[number];

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

/** Which proxy instance: one bench config (config.ts) and whether the Durable Object bindings are there. */
export interface ProxyVariant {
  /** The instance's name in Miniflare. */
  name: string;
  /** `cache.enabled` (with the KV binding `CACHE` always there). */
  cache: boolean;
  /**
   * With the Durable Object bindings of wrangler.toml (`BREAKER`, `BUDGET`, `CLIENT_RATE` ..., in
   * Miniflare's temporary storage), as deployed; without them the proxy skips the circuit breakers
   * altogether (`env.BREAKER` undefined): PROXY_CONFIG has no switch for them.
   */
  breakers: boolean;
  /** `auth.mode = "keys"` with CLIENT_KEYS instead of `none`. */
  clientKeys?: boolean;
  /** `limits.ipRpm` (0: the per-IP limit off, as in every other instance). */
  ipRpm?: number;
}

/**
 * The proxy instances, each the same bundle with one switch flipped against `proxy` (cache off,
 * breakers on, `auth.mode = "none"`, no per-IP limit): `proxyCached` and `proxyCacheMiss` cache on
 * (hits and misses are measured on separate instances, so the misses never evict the hit's entry
 * from the isolate's copy), `proxyNoBreakers` without the Durable Objects, `proxyKeys` with client
 * keys, `proxyIpLimit` with `limits.ipRpm`.
 */
export const PROXY_VARIANTS: Record<Exclude<Instance, 'forwarder'>, ProxyVariant> = {
  proxy: { name: 'proxy', cache: false, breakers: true },
  proxyCached: { name: 'proxy-cached', cache: true, breakers: true },
  proxyNoBreakers: { name: 'proxy-no-breakers', cache: false, breakers: false },
  proxyKeys: { name: 'proxy-keys', cache: false, breakers: true, clientKeys: true },
  proxyIpLimit: { name: 'proxy-ip-limit', cache: false, breakers: true, ipRpm: IP_RPM },
  proxyCacheMiss: { name: 'proxy-cache-miss', cache: true, breakers: true },
};

/**
 * Starts the proxy bundle on workerd with wrangler.toml's compatibility date, flags and bindings
 * (KV `CACHE`, the `IP_LIMITER` rate limit and, unless `breakers` is off, its Durable Objects:
 * `BREAKER`, `BUDGET`, `CLIENT_RATE` ... in Miniflare's temporary storage, gone on dispose),
 * `PROXY_CONFIG` replaced by the bench config of `variant` and `BENCH_KEY` set.
 */
export async function startProxyWorker(bundlePath: string, mockOrigin: string, variant: ProxyVariant): Promise<RunningWorker> {
  const { cache, breakers, clientKeys = false, ipRpm = 0 } = variant;
  // The bundle is one self-contained module: module rules (which Miniflare 5 cannot convert) are moot.
  const { modulesRules: _rules, durableObjects, ...fromConfig } = await wranglerWorkerOptions();
  const missing = missingBindings(variant, durableObjects as Record<string, unknown> | undefined, fromConfig.ratelimits);
  if (missing !== undefined) throw new Error(`the ${variant.name} instance needs ${missing} of wrangler.toml`);
  const counter = { lines: 0 };
  return start(
    {
      ...(await shared(counter)),
      ...fromConfig,
      ...(breakers ? { durableObjects } : {}),
      name: variant.name,
      modules: true,
      // Module names are relative to this root; the bundle lives in a temp dir outside the project.
      modulesRoot: path.dirname(bundlePath),
      scriptPath: bundlePath,
      bindings: { ...fromConfig.bindings, PROXY_CONFIG: benchProxyConfig(mockOrigin, { cache, clientKeys, ipRpm }), BENCH_KEY },
    } as V4MiniflareOptions,
    counter,
  );
}

/** The binding a variant relies on that wrangler.toml does not declare (else the layer would be off unnoticed), or undefined. */
function missingBindings(variant: ProxyVariant, objects: Record<string, unknown> | undefined, ratelimits: unknown): string | undefined {
  if (variant.breakers && objects?.BREAKER === undefined) return 'the BREAKER Durable Object binding';
  if (variant.clientKeys && (!variant.breakers || objects?.BUDGET === undefined || objects?.CLIENT_RATE === undefined)) {
    return 'the BUDGET and CLIENT_RATE Durable Object bindings (and breakers on, which keeps the objects)';
  }
  const limiters = ratelimits as Record<string, unknown> | undefined;
  if ((variant.ipRpm ?? 0) > 0 && limiters?.IP_LIMITER === undefined) return 'the IP_LIMITER rate limiting binding';
  return undefined;
}

/** Starts the minimal forwarder on workerd, same compatibility date and flags as the proxy, upstream the mock with MOCK_SCENARIO. */
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
      bindings: { UPSTREAM: scenarioOrigin(mockOrigin) },
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
