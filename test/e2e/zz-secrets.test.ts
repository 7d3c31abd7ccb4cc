// Runs last (the sequencer sorts by name): no secret of the run ever left any proxy of the run.
import { APIError } from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { TENANT_KEYS } from './cache-config.ts';
import { FALLBACK, MOCK_KEY, REPLY } from './config.ts';
import { requestLogLines, wranglerOutput } from './observers.ts';
import { ask, sdk } from './proxy-client.ts';
import { recordedResponses, secretsOfTheRun, transcripts } from './recorder.ts';

const client = sdk();

describe('secret hygiene', () => {
  it('redacts the vendor key from a vendor error message that echoes it', async () => {
    const error = await client.chat.completions.create(ask('leaky-terminal')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).message).toContain('Invalid value for messages');
    expect((error as APIError).message).toContain('[redacted]');
    expect((error as APIError).message).not.toContain(MOCK_KEY);
  });

  it('falls back past a 401 that echoes the key without passing the echo on', async () => {
    const { data, response } = await client.chat.completions.create(ask('leaky-skip')).withResponse();
    expect(data.choices[0]?.message.content).toBe(REPLY);
    expect(response.headers.get('x-proxy-provider')).toBe(FALLBACK.provider);
  });

  it('never sent the key in any response header or body read during the run', () => {
    const recorded = recordedResponses();
    const heads = recorded.filter((r) => r.kind === 'head');
    expect(heads.length).toBeGreaterThan(0);
    expect(heads.some((head) => head.url.startsWith(inject('cacheProxyUrl')))).toBe(true);
    for (const entry of recorded) {
      const text = entry.kind === 'head' ? JSON.stringify(entry.headers) : entry.text;
      expect(text, `${entry.kind} of ${entry.url}`).not.toContain(MOCK_KEY);
      for (const key of Object.values(TENANT_KEYS)) expect(text, `${entry.kind} of ${entry.url}`).not.toContain(key);
    }
    const bodies = recorded.flatMap((r) => (r.kind === 'body' ? [r.text] : [])).join('');
    expect(bodies).toContain(REPLY);
    expect(bodies).not.toContain(MOCK_KEY);
  });

  it.each([
    ['first proxy', 'wranglerLog'],
    ['cache proxy', 'cacheWranglerLog'],
  ] as const)("never printed the key in wrangler's output or the proxy's log lines (%s)", (_name, log) => {
    const output = wranglerOutput(inject(log));
    expect(output).toContain('Ready on');
    expect(requestLogLines(inject(log)).length).toBeGreaterThan(0);
    expect(output).not.toContain(MOCK_KEY);
    for (const key of Object.values(TENANT_KEYS)) expect(output).not.toContain(key);
    expect(output).toMatch(/MOCK_KEY \("\(hidden\)"\)/);
  });

  it('never showed any secret of the run in any response, header or log line of any wrangler dev', () => {
    const secrets = [
      { what: 'vendor key MOCK_KEY', value: MOCK_KEY },
      ...Object.entries(TENANT_KEYS).map(([name, value]) => ({ what: `client key ${name}`, value })),
      ...secretsOfTheRun(),
    ];
    const outputs = transcripts();
    // At least the two instances of the global setup; test files add their own (breakers, guard).
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    expect(outputs.every((o) => o.text.includes('Ready on'))).toBe(true);
    const responses = recordedResponses().map((r) => ({
      where: `${r.kind} of ${r.url}`,
      text: r.kind === 'head' ? JSON.stringify(r.headers) : r.text,
    }));
    const places = [...outputs.map((o) => ({ where: `output of ${o.file}`, text: o.text })), ...responses];
    const leaks = secrets.flatMap((s) => places.filter((p) => p.text.includes(s.value)).map((p) => `${s.what} in ${p.where}`));
    console.log(
      `secret check: ${secrets.length} secrets against ${outputs.length} wrangler outputs and ${responses.length} response parts`,
    );
    expect(leaks).toEqual([]);
  });
});
