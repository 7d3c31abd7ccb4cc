// Fuzz over real HTTP through `wrangler dev`: a sample of the generated requests, then what only raw sockets can send.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../mock-provider/server.ts';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { FUZZ_ADMIN_TOKEN, generateCases, protocolOf } from './cases.ts';
import { describeCase, shapeProblem, verdict } from './check.ts';
import { buildFuzzConfig, FUZZ_VENDOR_KEY } from './config.ts';
import { seeded, seedFrom } from './prng.ts';
import { brokenBodyCases, exchange, type RawCase, rawCases, rawRequest } from './raw-http.ts';

const seed = seedFrom(process.env.FUZZ_SEED);
const runs = Number(process.env.FUZZ_HTTP_RUNS ?? 200);

let dir: string;
let mock: MockServer;
let dev: WranglerDev;
let logFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-fuzz-'));
  mock = await startMockServer({ name: 'fuzz' });
  const config = JSON.stringify(buildFuzzConfig(mock.url));
  const envFile = join(dir, 'fuzz.env');
  writeFileSync(envFile, `FUZZ_VENDOR_KEY=${FUZZ_VENDOR_KEY}\nPROXY_ADMIN_TOKEN=${FUZZ_ADMIN_TOKEN}\nPROXY_CONFIG='${config}'\n`);
  logFile = join(dir, 'wrangler.log');
  dev = await startWranglerDev({ envFile, workDir: dir, logFile, startTimeoutMs: 90_000 });
  console.log(`fuzz (HTTP): seed ${seed}, ${runs} generated requests; rerun with FUZZ_SEED=${seed} FUZZ_HTTP_RUNS=${runs}`);
}, 120_000);

afterAll(async () => {
  await dev?.stop();
  await mock?.close();
  if (process.env.FUZZ_KEEP === '1') console.log(`fuzz: kept ${dir}`);
  else if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** undici refuses control characters in header values; the raw-socket cases send those. */
function printable(headers: Record<string, string>): Record<string, string> {
  const clean = (value: string): string =>
    [...value].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? '?' : ch)).join('');
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, clean(value)]));
}

describe('fuzz over real HTTP through wrangler dev', () => {
  const host = (): string => new URL(dev.url).host;
  const port = (): number => Number(new URL(dev.url).port);

  it("refuses a sample of the generated malformed requests with a 4xx in the caller's protocol", async () => {
    const failures: string[] = [];
    // Keyed cases need the keyed config; over HTTP they run against the open one, where a body is still refused.
    for (const c of generateCases(seeded(seed), runs)) {
      const size = c.body === undefined ? 0 : typeof c.body === 'string' ? c.body.length : c.body.byteLength;
      if (size > 1024 * 1024) {
        const bytes = c.body === undefined ? Buffer.alloc(0) : Buffer.from(c.body);
        const [first] = await exchange(port(), rawRequest(host(), c.method, c.path, printable(c.headers), bytes), 300);
        const problem = first === undefined ? 'no answer' : verdict(c, first.status, first.body);
        if (problem !== undefined) failures.push(describeCase(c, problem));
        continue;
      }
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(`${dev.url}${c.path}`, {
          method: c.method as 'POST',
          headers: printable(c.headers),
          body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : Buffer.from(c.body),
          headersTimeout: 20_000,
          bodyTimeout: 20_000,
        });
      } catch (error) {
        failures.push(describeCase(c, `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
        continue;
      }
      const problem = verdict(c, res.statusCode, await res.body.text());
      if (problem !== undefined) failures.push(describeCase(c, problem));
    }
    expect(failures.slice(0, 25), `seed ${seed}`).toEqual([]);
  });

  /** What is wrong with the answers to one raw case (empty when nothing). */
  async function rawProblems(c: RawCase, seen: string[]): Promise<string[]> {
    const responses = await exchange(port(), c.bytes, c.pauseMs);
    seen.push(`${c.name}: ${responses.map((r) => r.status).join(', ') || 'closed without an answer'}`);
    const problems: string[] = [];
    if (c.expect !== 'no-5xx' && responses.length === 0) problems.push(`${c.name}: no answer`);
    const path = /^\S+ (\S+)/.exec(c.bytes.subarray(0, 200).toString('latin1'))?.[1] ?? '/';
    for (const r of responses) {
      const fourxx = r.status >= 400 && r.status <= 499;
      const ok = c.expect === 'answer' ? fourxx : c.expect === 'method' ? fourxx || r.status === 501 : r.status < 500;
      if (!ok) problems.push(`${c.name}: status ${r.status} ${r.body.slice(0, 160)}`);
      // Answers of the proxy itself (not of the HTTP server in front of it) carry x-request-id and the caller's error shape.
      const shape = r.status >= 400 && r.headers['x-request-id'] !== undefined ? shapeProblem(protocolOf(path), r.body) : undefined;
      if (shape !== undefined) problems.push(`${c.name}: ${shape}`);
    }
    return problems;
  }

  it('answers every raw-socket oddity with a 4xx (501 for an unknown method; GET routes may ignore a body), never a 5xx', async () => {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const c of rawCases(host())) problems.push(...(await rawProblems(c, seen)));
    console.log(`fuzz (HTTP): raw cases\n  ${seen.join('\n  ')}`);
    expect(problems).toEqual([]);
  });

  // Known gap of wrangler dev, not the Worker: its own proxy answers these 500 ("Network connection
  // lost") before the Worker sees them; the Worker itself answers 400 invalid_body (fuzz-regressions test).
  it.fails('answers a body that breaks off while it is read with a 4xx', async () => {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const c of brokenBodyCases(host())) problems.push(...(await rawProblems(c, seen)));
    console.log(`fuzz (HTTP): bodies breaking off\n  ${seen.join('\n  ')}`);
    expect(problems).toEqual([]);
  });

  it('never called the vendor, never failed unexpectedly, never showed a secret', async () => {
    expect(mock.provider.calls()).toEqual([]);
    const output = readFileSync(logFile, 'utf8');
    expect(output).toContain('Ready on');
    expect(output).not.toContain('unhandled error');
    expect(output).not.toContain(FUZZ_VENDOR_KEY);
    expect(output).not.toContain(FUZZ_ADMIN_TOKEN);
  });
});
