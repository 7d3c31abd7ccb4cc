// Runs the real Claude Code CLI (the dev dependency's, or CLAUDE_CODE_BIN) against the mock's HTTP server and records its requests as fixtures (RECORD_CLAUDE_CODE=1). Runs in Node.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateClaudeCode } from '../e2e/claude-code-cli.ts';
import { recordedRequest, replay } from './claude-code-replay.ts';
import { createMockProvider } from './handler.ts';
import { type MockServer, startMockServer } from './server.ts';

const located = process.env.CLAUDE_CODE_BIN === undefined ? locateClaudeCode() : { command: [process.env.CLAUDE_CODE_BIN] };
/** The command that runs the CLI; undefined (the probes skip, saying why) when none runs on this machine. */
const bin = 'command' in located ? located.command : undefined;
if ('skip' in located) console.warn(`claude-code probes skipped: ${located.skip}`);
const record = process.env.RECORD_CLAUDE_CODE === '1';
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'claude-code');
/** Fixed, so the recorded system prompts and tool inputs do not change from one recording to the next. */
const root = '/tmp/claude-code-probe';

/** The environment that keeps the CLI offline, quiet and non-interactive (see test/fixtures/claude-code/README.md). */
const offline = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  TERM: 'dumb',
  ANTHROPIC_API_KEY: 'sk-ant-fake-claude-code',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
};

type Probe = { scenario: string; prompt: string; args: string[]; env?: Record<string, string>; output: string };

const workOf = (name: string) => join(root, name, 'work');
const write = (name: string) => `MOCK_TOOL Write {"file_path": "${workOf(name)}/hello.txt", "content": "hi"}`;
const read = (name: string) => `MOCK_TOOL Read {"file_path": "${workOf(name)}/hello.txt"}`;
const task = (name: string) => `Create a file hello.txt containing hi. ${write(name)}`;
const created = (name: string) => `Tool said: File created successfully at: ${workOf(name)}/hello.txt`;

/** Each probe: a small task with a tool loop scripted by MOCK_TOOL directives (or /context), and what the CLI must print. */
const probes: Record<string, Probe> = {
  'adaptive-thinking': {
    scenario: '',
    prompt: task('adaptive-thinking'),
    args: ['--allowedTools', 'Write'],
    output: created('adaptive-thinking'),
  },
  'no-thinking': {
    scenario: '',
    prompt: task('no-thinking'),
    args: ['--allowedTools', 'Write'],
    env: { CLAUDE_CODE_DISABLE_THINKING: '1' },
    output: created('no-thinking'),
  },
  'budget-thinking': {
    scenario: '',
    prompt: task('budget-thinking'),
    args: ['--allowedTools', 'Write', '--model', 'claude-sonnet-4-5'],
    env: { MAX_THINKING_TOKENS: '4000' },
    output: created('budget-thinking'),
  },
  'two-steps-redacted': {
    scenario: 'redacted-thinking,citations',
    prompt: `Create hello.txt, then read it back.\n${write('two-steps-redacted')}\n${read('two-steps-redacted')}`,
    args: ['--allowedTools', 'Write', 'Read'],
    output: 'Tool said: 1\thi',
  },
  context: { scenario: '', prompt: '/context', args: [], output: '## Context Usage' },
};

function run(
  command: readonly string[],
  name: string,
  probe: Probe,
  url: string,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'home'), { recursive: true });
  mkdirSync(join(dir, 'work'), { recursive: true });
  const env = {
    ...offline,
    ...probe.env,
    HOME: join(dir, 'home'),
    ANTHROPIC_BASE_URL: `${url}${probe.scenario === '' ? '' : `/${probe.scenario}`}`,
  };
  const started = Date.now();
  const [file = 'claude', ...pre] = command;
  const child = spawn(file, [...pre, '-p', probe.prompt, ...probe.args], {
    cwd: join(dir, 'work'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe.skipIf(bin === undefined)('the Claude Code CLI against the mock', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0, name: 'claude-code' });
  });
  afterAll(() => server.close());

  it.each(Object.entries(probes))(
    'completes the %s probe, and the mock accepts every request it sent',
    { timeout: 120_000 },
    async (name, probe) => {
      if (bin === undefined) return;
      server.provider.reset();
      const result = await run(bin, name, probe, server.url);
      expect(result.stderr).not.toMatch(/error|fail|invalid/i);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(probe.output);
      if (probe.prompt.includes('MOCK_TOOL Write')) expect(readFileSync(join(workOf(name), 'hello.txt'), 'utf8')).toBe('hi');
      const calls = server.provider.calls().map(recordedRequest);
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect((await replay(createMockProvider(), call)).status).toBe(200);
      console.info(`claude-code probe ${name}: ${calls.length} requests, ${result.ms} ms`);
      if (!record) return;
      for (const [i, call] of calls.entries()) {
        const file = `${name}.${String(i + 1).padStart(2, '0')}.${call.path.split('/').at(-1) ?? 'request'}.json`;
        writeFileSync(join(fixtures, file), `${JSON.stringify(call, null, 2)}\n`);
      }
    },
  );
});
