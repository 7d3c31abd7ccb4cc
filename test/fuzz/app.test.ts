// Fuzz, in workerd through the app: seeded malformed requests on every route, each refused with a 4xx, none reaching a vendor.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { readAnswer } from '../chaos/answer.ts';
import { createMockProvider } from '../mock-provider/handler.ts';
import { generateAccepted } from './accepted.ts';
import { FUZZ_ADMIN_TOKEN, FUZZ_CLIENT_KEY, type FuzzCase, generateCases, protocolOf } from './cases.ts';
import { describeCase, verdict } from './check.ts';
import { buildFuzzConfig, FUZZ_VENDOR_KEY, sha256Hex } from './config.ts';
import { seeded, seedFrom } from './prng.ts';

const bindings = env as unknown as Record<string, unknown>;
const seed = seedFrom(bindings.FUZZ_SEED as string | undefined);
const runs = Number(bindings.FUZZ_RUNS ?? 1200);

let openEnv: Record<string, unknown>;
let keyedEnv: Record<string, unknown>;

beforeAll(async () => {
  const common = { ...bindings, FUZZ_VENDOR_KEY, PROXY_ADMIN_TOKEN: FUZZ_ADMIN_TOKEN };
  openEnv = { ...common, PROXY_CONFIG: JSON.stringify(buildFuzzConfig('http://mock.test')) };
  keyedEnv = { ...common, PROXY_CONFIG: JSON.stringify(buildFuzzConfig('http://mock.test', await sha256Hex(FUZZ_CLIENT_KEY))) };
  console.log(`fuzz (workerd): seed ${seed}, ${runs} cases; rerun with FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);
});

/** Sends one case through `app`; its status and body. */
async function answer(
  app: ReturnType<typeof createApp>,
  c: FuzzCase,
  caseEnv: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const ctx = createExecutionContext();
  const init: RequestInit = { method: c.method, headers: c.headers };
  if (c.body !== undefined) init.body = c.body;
  const res = await app.request(c.path, init, caseEnv, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body };
}

describe('fuzz: malformed and adversarial requests, in workerd', () => {
  it(`refuses every one with a 4xx in the caller's protocol and never calls a vendor`, async () => {
    const upstream: string[] = [];
    const app = createApp({
      fetch: async (input) => {
        upstream.push(String(input instanceof Request ? input.url : input));
        throw new Error('fuzz: a malformed request reached the upstream fetch');
      },
    });
    let count = 0;
    const failures: string[] = [];
    const byKind = new Map<string, Map<number, number>>();
    for (const c of generateCases(seeded(seed), runs)) {
      count += 1;
      const calledBefore = upstream.length;
      let got: { status: number; body: string };
      try {
        got = await answer(app, c, c.keyed ? keyedEnv : openEnv);
      } catch (error) {
        failures.push(describeCase(c, `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
        continue;
      }
      const statuses = byKind.get(c.kind) ?? new Map<number, number>();
      statuses.set(got.status, (statuses.get(got.status) ?? 0) + 1);
      byKind.set(c.kind, statuses);
      const problem = verdict(c, got.status, got.body) ?? (upstream.length > calledBefore ? 'called the upstream' : undefined);
      if (problem !== undefined) failures.push(describeCase(c, problem));
      if (got.body.includes(FUZZ_VENDOR_KEY) || got.body.includes(FUZZ_ADMIN_TOKEN))
        failures.push(describeCase(c, 'a secret in the answer'));
    }
    const summary = [...byKind].map(([kind, statuses]) => `${kind}: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
    console.log(`fuzz (workerd): ${count} cases, ${failures.length} failures\n  ${summary.join('\n  ')}`);
    expect(failures.slice(0, 25), `seed ${seed}`).toEqual([]);
    expect(upstream).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(1000);
  });
});

describe('fuzz: well-formed adversarial requests, in workerd', () => {
  it('answers each one in its protocol, never with a 5xx: deep nesting where any JSON goes, huge or odd text, junk headers', async () => {
    const mock = createMockProvider();
    const app = createApp({ fetch: (input, init) => mock.fetch(input as Request | string | URL, init) });
    const count = Math.max(200, Math.round(runs / 4));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of generateAccepted(seeded(seed ^ 0x5eed), count)) {
      const got = await answer(app, c, openEnv);
      statuses.set(got.status, (statuses.get(got.status) ?? 0) + 1);
      const stream = typeof c.body === 'string' && (JSON.parse(c.body) as { stream?: unknown }).stream === true;
      const read = readAnswer(protocolOf(c.path), stream, got.status, got.body);
      if (got.status >= 500) failures.push(describeCase(c, `status ${got.status}: ${got.body.slice(0, 160)}`));
      else if (got.status === 200 && read.ending !== 'json' && read.ending !== 'done')
        failures.push(describeCase(c, `${read.ending}: ${read.problem}`));
    }
    console.log(`fuzz (workerd): ${count} well-formed adversarial requests: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
    expect(failures.slice(0, 25), `seed ${seed}`).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(count / 2);
  });
});
