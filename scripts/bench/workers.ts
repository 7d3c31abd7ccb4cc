// Builds the proxy bundle with wrangler and runs it, and a minimal forwarding Worker, on workerd via Miniflare.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { V4MiniflareOptions } from 'miniflare';

/** The project root (where wrangler.toml and node_modules are). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Wrangler's CLI entry, run with this Node (the shebang's `node` may be an older one). */
export const WRANGLER_BIN = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

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

/**
 * PROXY_CONFIG for the bench: alias `bench` with one OpenAI-protocol target on the mock vendor.
 * The KV response cache is off unless `cache` is true, so the proxy rows measure the provider path.
 */
export function benchProxyConfig(mockOrigin: string, cache = false): string {
  return JSON.stringify({
    providers: { mock: { protocol: 'openai', baseUrl: `${mockOrigin}/v1`, apiKeyEnv: 'BENCH_KEY' } },
    models: { bench: { targets: [{ provider: 'mock', model: 'mock-model' }] } },
    cache: { enabled: cache },
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

/** Which proxy instance: the response cache on or off, the circuit breakers on or off. */
export interface ProxyVariant {
  cache: boolean;
  /**
   * With the `BREAKER` Durable Object binding of wrangler.toml (Miniflare's temporary storage), as
   * deployed; without it the proxy skips the breakers altogether (`env.BREAKER` undefined).
   */
  breakers: boolean;
}

/**
 * Starts the proxy bundle on workerd with wrangler.toml's compatibility date, flags and bindings
 * (KV `CACHE` and, unless `breakers` is off, the `BREAKER` Durable Object: Miniflare's temporary
 * storage, gone on dispose), `PROXY_CONFIG` replaced by the bench config (a JSON string, response
 * cache on only when `cache`) and `BENCH_KEY` set.
 */
export async function startProxyWorker(
  bundlePath: string,
  mockOrigin: string,
  { cache, breakers }: ProxyVariant = { cache: false, breakers: true },
): Promise<RunningWorker> {
  // The bundle is one self-contained module: module rules (which Miniflare 5 cannot convert) are moot.
  const { modulesRules: _rules, durableObjects, ...fromConfig } = await wranglerWorkerOptions();
  if (breakers && (durableObjects as Record<string, unknown> | undefined)?.BREAKER === undefined) {
    throw new Error('wrangler.toml has no BREAKER Durable Object binding: the "breakers on" instance would run without them');
  }
  const counter = { lines: 0 };
  return start(
    {
      ...(await shared(counter)),
      ...fromConfig,
      ...(breakers ? { durableObjects } : {}),
      name: cache ? 'proxy-cached' : breakers ? 'proxy' : 'proxy-no-breakers',
      modules: true,
      // Module names are relative to this root; the bundle lives in a temp dir outside the project.
      modulesRoot: path.dirname(bundlePath),
      scriptPath: bundlePath,
      bindings: { ...fromConfig.bindings, PROXY_CONFIG: benchProxyConfig(mockOrigin, cache), BENCH_KEY },
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
