// Tests the load generator and the interleaved rounds against local HTTP servers on real sockets. Runs in Node.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listenOnLoopback } from '../../test/support/loopback.ts';
import { CpuMeter } from './cpu.ts';
import { measure, measureInterleaved } from './interleave.ts';
import type { RequestSpec } from './load.ts';

const CHAT = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] });
const servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Seen {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A chat-completion server answering after `delayMs`, recording each request in `log` under `name`. */
async function server(name: string, log: string[], seen: Seen[] = [], delayMs = 0): Promise<string> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      log.push(name);
      seen.push({ body, headers: req.headers });
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'x-proxy-source': name }).end(CHAT), delayMs);
    });
  };
  const listening = await listenOnLoopback(createServer(handle));
  servers.push(listening);
  return listening.url;
}

const spec = (origin: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({
  origin,
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: '{}',
  stream: false,
  ...extra,
});

/** Consecutive repeats folded: `a a b b a` → `a b a`. */
const runs = (log: string[]): string[] => log.filter((name, i) => name !== log[i - 1]);

describe('runPhase through measure', () => {
  it('rates each connection over its own time, so c connections at 20 ms each give about c / 20 ms', async () => {
    const origin = await server('a', [], [], 20);
    const m = await measure(spec(origin), 4, { maxRequests: 0, maxMs: 0 }, { maxRequests: 10_000, maxMs: 400 });
    expect(m.errors).toBe(0);
    expect(m.rps).toBeGreaterThan(120);
    expect(m.rps).toBeLessThanOrEqual(4 * (1000 / 20) + 1);
  });

  it('sends what vary returns: a new body each time, headers added to the fixed ones', async () => {
    const seen: Seen[] = [];
    const origin = await server('a', [], seen);
    let n = 0;
    const vary = () => ({ body: `{"n":${++n}}`, headers: { 'cf-connecting-ip': `10.0.0.${n}` } });
    await measure(spec(origin, { vary }), 1, { maxRequests: 0, maxMs: 0 }, { maxRequests: 3, maxMs: 5_000 });
    expect(seen.map((s) => s.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(seen.map((s) => [s.headers['cf-connecting-ip'], s.headers['content-type']])).toEqual([
      ['10.0.0.1', 'application/json'],
      ['10.0.0.2', 'application/json'],
      ['10.0.0.3', 'application/json'],
    ]);
  });

  it('counts an answer without the expected header as an error, with what came instead', async () => {
    const origin = await server('provider', []);
    const m = await measure(
      spec(origin, { expect: { 'x-proxy-source': 'cache' } }),
      1,
      { maxRequests: 0, maxMs: 0 },
      { maxRequests: 2, maxMs: 5_000 },
    );
    expect(m.ok).toBe(0);
    expect(m.errors).toBe(2);
    expect(m.errorSamples).toEqual(['x-proxy-source: provider (expected cache)']);
  });
});

describe('measureInterleaved', () => {
  it('warms every server, then takes turns in slices, reversing the order every other round', async () => {
    const log: string[] = [];
    const a = await server('a', log);
    const b = await server('b', log);
    const measured = await measureInterleaved([spec(a), spec(b)], {
      concurrency: 1,
      warmup: { maxRequests: 2, maxMs: 5_000 },
      slice: { maxRequests: 3, maxMs: 5_000 },
      rounds: 3,
    });
    // Warm-ups a, b; then rounds a b | b a | a b: the folded runs are a b a b a b (without the reversal: a b a b a b a b).
    expect(runs(log)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(measured.map((m) => m.slices.map((s) => s.result.ok))).toEqual([
      [3, 3, 3],
      [3, 3, 3],
    ]);
    expect(measured.map((m) => m.ok)).toEqual([9, 9]);
  });

  it('reads the CPU of every watched process around each slice', async () => {
    const origin = await server('a', []);
    const meter = new CpuMeter({ generator: process.pid });
    const [m] = await measureInterleaved([spec(origin)], {
      concurrency: 2,
      warmup: { maxRequests: 0, maxMs: 0 },
      slice: { maxRequests: 50, maxMs: 5_000 },
      rounds: 2,
      meter,
      settleMs: 5,
    });
    const cpu = m?.slices.map((s) => s.cpuMs?.generator);
    expect(cpu).toHaveLength(2);
    // The generator is this process: it served and loaded the server, so each slice cost it some CPU time.
    for (const ms of cpu ?? []) expect(ms).toBeGreaterThan(0);
  });
});
