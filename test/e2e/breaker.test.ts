// Circuit breakers end to end: two `wrangler dev`s of this file's own (breaker-config.ts), the mock vendor, the openai SDK.
//
// "fast" trips after 3 failures in a row and probes after 1.5 s; "long" keeps a breaker open for a
// minute and is restarted on the same persist dir (the state must survive), then restarted again
// with its breaker objects' SQLite files overwritten (every call to them fails: requests must
// still be served). Retries are off, so every request costs one call per target tried.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { BK, BK_FALLBACK, BREAKER, buildBreakerProxyConfig, LONG_BREAKER } from './breaker-config.ts';
import { MOCK_KEY, REPLY } from './config.ts';
import { logLineFor, mockCalls, wranglerOutput } from './observers.ts';
import { sdk } from './proxy-client.ts';

const mockUrl = inject('mockUrl');

interface Instance {
  dir: string;
  envFile: string;
  dev: WranglerDev;
  /** Log of the current run of `wrangler dev` (a new file per start). */
  log: string;
  starts: number;
}

let fast: Instance;
let long: Instance;

function writeEnv(dir: string, config: object): string {
  const json = JSON.stringify(config);
  if (json.includes("'") || json.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const envFile = join(dir, 'breaker.env');
  writeFileSync(envFile, `MOCK_KEY=${MOCK_KEY}\nPROXY_CONFIG='${json}'\n`);
  return envFile;
}

async function start(name: string, config: object): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), `proxy-e2e-breaker-${name}-`));
  const envFile = writeEnv(dir, config);
  const log = join(dir, 'wrangler-1.log');
  const dev = await startWranglerDev({ envFile, workDir: dir, logFile: log });
  return { dir, envFile, dev, log, starts: 1 };
}

/** Stops `wrangler dev` and starts it again on the same work dir, so on the same persisted state. */
async function restart(instance: Instance, beforeStart: () => void = () => {}): Promise<void> {
  await instance.dev.stop();
  beforeStart();
  instance.starts += 1;
  instance.log = join(instance.dir, `wrangler-${instance.starts}.log`);
  instance.dev = await startWranglerDev({ envFile: instance.envFile, workDir: instance.dir, logFile: instance.log });
}

beforeAll(async () => {
  const started = await Promise.allSettled([
    start('fast', buildBreakerProxyConfig(mockUrl, BREAKER)),
    start('long', buildBreakerProxyConfig(mockUrl, LONG_BREAKER)),
  ]);
  const [a, b] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  if (a === undefined || b === undefined) {
    await Promise.all([a?.dev.stop(), b?.dev.stop()]);
    throw started.find((r) => r.status === 'rejected')?.reason;
  }
  fast = a;
  long = b;
});

afterAll(async () => {
  await Promise.all([fast?.dev.stop(), long?.dev.stop()]);
  for (const instance of [fast, long]) {
    if (instance === undefined) continue;
    if (process.env.E2E_KEEP === '1') console.log(`e2e: kept ${instance.dir}`);
    else rmSync(instance.dir, { recursive: true, force: true });
  }
});

let prompts = 0;

/** One non-streaming request for `alias` (a prompt never sent before); who answered, in how many calls. */
async function send(instance: Instance, alias: string, requestId?: string) {
  prompts += 1;
  const started = Date.now();
  const { data, response } = await sdk(instance.dev.url)
    .chat.completions.create(
      { model: alias, messages: [{ role: 'user', content: `breaker ${prompts}` }] },
      requestId === undefined ? {} : { headers: { 'x-request-id': requestId } },
    )
    .withResponse();
  return {
    status: response.status,
    text: data.choices[0]?.message.content,
    provider: response.headers.get('x-proxy-provider'),
    attempts: Number(response.headers.get('x-proxy-attempts')),
    ms: Date.now() - started,
    at: Date.now(),
  };
}

/** Calls the mock received so far for `model`. */
async function callsTo(model: string): Promise<number> {
  return (await mockCalls()).filter((call) => call.model === model).length;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('circuit breaker (consecutiveFailures 3, openMs 1500, halfOpenProbes 1)', () => {
  it('sends a dead provider only the failures that open it plus one probe per openMs', async () => {
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await send(fast, BK.dead.alias, `e2e-bk-dead-${i}`));
    const elapsed = Date.now() - started;
    const calls = await callsTo(BK.dead.model);
    const bound = BREAKER.consecutiveFailures + Math.ceil(elapsed / BREAKER.openMs);
    console.log(`breaker e2e: dead provider got ${calls} calls in 200 requests over ${elapsed} ms (bound ${bound})`);
    expect(answers.every((a) => a.status === 200 && a.provider === BK_FALLBACK.provider && a.text === REPLY)).toBe(true);
    // Three failures, then skipped at once: never called while open.
    expect(answers.slice(0, 3).map((a) => a.attempts)).toEqual([2, 2, 2]);
    expect(answers[3]?.attempts).toBe(1);
    expect(calls).toBeGreaterThanOrEqual(BREAKER.consecutiveFailures);
    expect(calls).toBeLessThanOrEqual(bound);
    expect(answers.filter((a) => a.attempts === 2)).toHaveLength(calls);
    const line = await logLineFor('e2e-bk-dead-3', 5000, fast.log);
    expect(line.attempts).toEqual([
      { provider: BK.dead.provider, model: BK.dead.model, status: null, ms: 0, retryable: false, error: 'breaker_open' },
      expect.objectContaining({ provider: BK_FALLBACK.provider, status: 200 }),
    ]);
  });

  it('uses a flapping provider again once it heals: after openMs and one probe', async () => {
    for (let i = 0; i < 2; i++) expect((await send(fast, BK.flap.alias)).provider).toBe(BK_FALLBACK.provider);
    // The third failure opens it: at some moment between sending that request and reading its answer.
    const thirdSentAt = Date.now();
    expect((await send(fast, BK.flap.alias)).provider).toBe(BK_FALLBACK.provider);
    const openedAt = Date.now();
    let healed: Awaited<ReturnType<typeof send>> | undefined;
    let skipped = 0;
    while (healed === undefined && Date.now() - openedAt < BREAKER.openMs + 3000) {
      const got = await send(fast, BK.flap.alias);
      if (got.provider === BK.flap.provider) healed = got;
      else {
        expect(got.attempts).toBe(1);
        skipped += 1;
        await sleep(25);
      }
    }
    if (healed === undefined) throw new Error('the flapping provider was never used again');
    const after = healed.at - openedAt;
    console.log(`breaker e2e: flapping provider used again ${after} ms after it opened (${skipped} requests skipped it meanwhile)`);
    expect(skipped).toBeGreaterThan(0);
    // Not before openMs, and soon after: the first request past openMs is the probe, and it heals it.
    expect(healed.at - thirdSentAt).toBeGreaterThanOrEqual(BREAKER.openMs);
    expect(after).toBeLessThan(BREAKER.openMs + 1000);
    expect(healed.attempts).toBe(1);
    // The probe succeeded: closed again, every request goes to it.
    for (let i = 0; i < 5; i++) expect((await send(fast, BK.flap.alias)).provider).toBe(BK.flap.provider);
    expect(await callsTo(BK.flap.model)).toBe(3 + 1 + 5);
  });

  it('lets through no more than halfOpenProbes of 50 simultaneous requests while half-open', async () => {
    // Three slow failures at once open it (all three were admitted while it was still closed).
    const opening = await Promise.all([0, 1, 2].map(() => send(fast, BK.slow.alias)));
    expect(opening.map((a) => a.attempts)).toEqual([2, 2, 2]);
    const openedAt = Date.now();
    expect(await callsTo(BK.slow.model)).toBe(3);
    await sleep(BREAKER.openMs + 300 - (Date.now() - openedAt));
    const burstStarted = Date.now();
    const burst = await Promise.all(Array.from({ length: 50 }, () => send(fast, BK.slow.alias)));
    const probes = (await callsTo(BK.slow.model)) - 3;
    const turnedAway = burst
      .filter((a) => a.attempts === 1)
      .map((a) => a.ms)
      .sort((x, y) => x - y);
    console.log(
      `breaker e2e: 50 simultaneous requests while half-open sent ${probes} probe(s); burst took ${Date.now() - burstStarted} ms; ` +
        `turned-away requests: median ${turnedAway[Math.floor(turnedAway.length / 2)]} ms, slowest ${turnedAway.at(-1)} ms`,
    );
    expect(burst.every((a) => a.status === 200 && a.provider === BK_FALLBACK.provider)).toBe(true);
    expect(probes).toBeLessThanOrEqual(BREAKER.halfOpenProbes);
    expect(probes).toBe(1);
    // Only the probe called bk-slow (and waited 800 ms for its 503); the others went straight to the fallback.
    expect(burst.filter((a) => a.attempts === 2)).toHaveLength(probes);
  });
});

describe('breaker state across restarts (openMs 60000)', () => {
  /** How the first request after the restart went. */
  let firstAfterRestart: { calls: number; provider: string | null } | undefined;

  it('keeps an open breaker open across a restart of wrangler dev on the same persist dir', { timeout: 40_000 }, async () => {
    for (let i = 0; i < 3; i++) expect((await send(long, BK.kept.alias)).attempts).toBe(2);
    expect((await send(long, BK.kept.alias)).attempts).toBe(1);
    expect(await callsTo(BK.kept.model)).toBe(3);
    // The outcome reports go through waitUntil; let the object's last write land.
    await sleep(300);
    await restart(long);
    const first = await send(long, BK.kept.alias, 'e2e-bk-kept-restart-1');
    firstAfterRestart = { calls: (await callsTo(BK.kept.model)) - 3, provider: first.provider };
    console.log(`breaker e2e: first request after the restart called the open provider ${firstAfterRestart.calls} time(s)`);
    expect(first.provider).toBe(BK_FALLBACK.provider);
    expect(firstAfterRestart.calls).toBe(0);
    await sleep(200);
    // A new breaker would need three more failures to open; this one is still open from before.
    for (let i = 0; i < 5; i++) expect((await send(long, BK.kept.alias)).attempts).toBe(1);
    expect(await callsTo(BK.kept.model)).toBe(3 + firstAfterRestart.calls);
  });

  // A fresh isolate asks a provider's object before its first call there (250 ms at most).
  it('skips the open provider from the very first request after the restart', () => {
    expect(firstAfterRestart).toEqual({ calls: 0, provider: BK_FALLBACK.provider });
  });

  it('still serves requests when the breaker object fails (its storage is unreadable)', { timeout: 40_000 }, async () => {
    // The object of bk-broken exists once a request has reported to it.
    expect((await send(long, BK.broken.alias)).provider).toBe(BK.broken.provider);
    await sleep(300);
    await restart(long, () => {
      // Every breaker object's SQLite file is replaced by garbage: workerd then fails each call (SQLITE_NOTADB).
      const objects = join(long.dir, 'state', 'v3', 'do', 'edge-llm-proxy-BreakerObject');
      for (const file of readdirSync(objects)) {
        if (file.startsWith('metadata')) continue;
        rmSync(join(objects, file));
        if (file.endsWith('.sqlite')) writeFileSync(join(objects, file), 'not a database '.repeat(400));
      }
    });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await send(long, BK.broken.alias));
    expect(answers.every((a) => a.status === 200 && a.provider === BK.broken.provider && a.attempts === 1)).toBe(true);
    // Failing open costs at most the 250 ms RPC timeout, and here the object fails at once.
    expect(answers.filter((a) => a.ms > 1000)).toEqual([]);
    const output = wranglerOutput(long.log);
    expect(output).toContain('SQLITE_NOTADB');
    expect(output).toMatch(/"msg":"breaker unavailable; failing open","provider":"bk-broken"/);
  });
});
