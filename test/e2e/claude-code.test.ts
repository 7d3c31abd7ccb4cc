// The real Claude Code CLI (`claude -p`) through a `wrangler dev` of this file's own (claude-code-config.ts): tool loops and /context, passed through to an Anthropic vendor or translated for an OpenAI-compatible fallback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockCall } from '../mock-provider/handler.ts';
import { CLAUDE_CODE_VERSION, locateClaudeCode } from './claude-code-cli.ts';
import { buildClaudeCodeProxyConfig, CC, CLAUDE_CODE_CLIENT, CLAUDE_CODE_KEY } from './claude-code-config.ts';
import { CLI_TIMEOUT_MS, runTask, type Task } from './claude-code-task.ts';
import { served, streamedTurn, useCliInstance } from './cli-task.ts';
import { logLineFor, mockCalls } from './observers.ts';
import { recordingFetch } from './recorder.ts';

const cli = locateClaudeCode();
const instance = useCliInstance('claude-code', cli, {
  config: buildClaudeCodeProxyConfig,
  secrets: [[`client key ${CLAUDE_CODE_CLIENT}`, CLAUDE_CODE_KEY]],
});

/** A task that writes hello.txt through a MOCK_TOOL Write directive; the CLI may run the Write tool. */
function writeTask(name: string, extraArgs: string[] = []): Promise<Task> {
  if ('skip' in cli) throw new Error(cli.skip);
  return runTask(cli, instance, name, (work) => [
    '-p',
    `Create a file hello.txt containing hi. MOCK_TOOL Write {"file_path": "${work}/hello.txt", "content": "hi"}`,
    '--allowedTools',
    'Write',
    ...extraArgs,
  ]);
}

/** The run ended well: exit code 0 and nothing alarming on stderr. */
function expectExitedWell(task: Task): void {
  expect(task.run.timedOut, task.told).toBe(false);
  expect(task.run.code, task.told).toBe(0);
  expect(task.run.stderr, task.told).not.toMatch(/error|fail|invalid|retry/i);
}

/** The task completed: the file written by the Write tool, the mock's final text printed. */
function expectWritten(task: Task): void {
  expectExitedWell(task);
  expect(readFileSync(join(task.work, 'hello.txt'), 'utf8'), task.told).toBe('hi');
  expect(task.run.stdout, task.told).toContain(`Tool said: File created successfully at: ${task.work}/hello.txt`);
}

/** A model turn's log line as `served` shows it. */
const turnLine = (model: string, provider: string, attempts: string[]) =>
  streamedTurn(CLAUDE_CODE_CLIENT, '/v1/messages', model, provider, attempts);

/** A mock call as `<path><query> <status the scenario scripts> <provider id>`. */
const callOf = (c: MockCall): string =>
  `${c.path}${c.query} ${c.scenario.includes('status=529') ? 529 : 200} ${/id=([\w-]+)/.exec(c.scenario)?.[1]}`;

describe('the Claude Code CLI through the proxy', () => {
  it(`is the pinned version ${CLAUDE_CODE_VERSION}`, () => {
    if ('skip' in cli) return;
    expect(cli.version).toBe(`${CLAUDE_CODE_VERSION} (Claude Code)`);
  });

  it('refuses a wrong client key before any vendor call (the key Claude Code gets is really checked)', async () => {
    const response = await recordingFetch(`${instance.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'e2e-claude-code-wrong-key',
        'x-api-key': 'client-claude-code-wrong',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model: CC.direct.alias, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
    expect(await mockCalls()).toEqual([]);
    // Wrangler prints the refusal's log line a moment later: waited for here, it cannot land among the next task's lines.
    expect(await logLineFor('e2e-claude-code-wrong-key', 5000, instance.log)).toMatchObject({ status: 401 });
  });

  it('completes a Write tool loop on its default model, each turn passed through to the Anthropic vendor', {
    timeout: CLI_TIMEOUT_MS + 15_000,
  }, async () => {
    const task = await writeTask('direct');
    expectWritten(task);
    // One vendor call per model turn: the task, then the tool result. A doubled first call would mean the CLI
    // re-sent a refused first turn (it folds a refused mid-conversation system message into the user turn).
    const call = `/v1/messages?beta=true 200 ${CC.direct.provider}`;
    expect(task.calls.map(callOf), task.told).toEqual([call, call]);
    for (const c of task.calls)
      expect(c).toMatchObject({ model: CC.direct.model, anthropicBeta: expect.stringMatching(/^claude-code-20250219,/) });
    const [first, second] = task.calls.map((c) => c.body as { thinking?: unknown; messages: { role: string; content: unknown }[] });
    expect(first?.thinking).toMatchObject({ type: 'adaptive' });
    expect(first?.messages[1]?.role).toBe('system');
    // The turn the CLI sent back starts with the signed thinking the vendor gave it; the mock checked the signature.
    expect(second?.messages.at(-2)).toMatchObject({
      role: 'assistant',
      content: [
        { type: 'thinking', signature: expect.stringMatching(/^mocksig_omitted_/) },
        { type: 'tool_use', name: 'Write' },
      ],
    });
    const turn = turnLine(CC.direct.alias, CC.direct.provider, [`${CC.direct.provider} 200`]);
    expect(served(task.lines), task.told).toEqual([turn, turn]);
    expect(task.lines.map((l) => l.dropped)).toEqual([undefined, undefined]);
  });

  it('completes the same loop on an alias whose Anthropic target is overloaded, each turn translated for the OpenAI-compatible fallback', {
    timeout: CLI_TIMEOUT_MS + 15_000,
  }, async () => {
    const task = await writeTask('fallback', ['--model', CC.fallback.alias]);
    expectWritten(task);
    const overloaded = `/v1/messages?beta=true 529 ${CC.fallback.failing}`;
    const turn = [overloaded, overloaded, overloaded, `/v1/chat/completions 200 ${CC.fallback.provider}`];
    expect(task.calls.map(callOf), task.told).toEqual([...turn, ...turn]);
    type ChatBody = { model: string; messages: { role: string }[]; tools?: unknown[] };
    const chats = task.calls.filter((c) => c.path === '/v1/chat/completions').map((c) => c.body as ChatBody);
    expect(chats.map((b) => b.model)).toEqual([CC.fallback.model, CC.fallback.model]);
    expect(chats[0]?.tools).toContainEqual(
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'Write' }) }),
    );
    expect(chats[1]?.messages.map((m) => m.role).slice(-2)).toEqual(['assistant', 'tool']);
    const attempts = [...Array(3).fill(`${CC.fallback.failing} 529`), `${CC.fallback.provider} 200`];
    const logged = turnLine(CC.fallback.alias, CC.fallback.provider, attempts);
    expect(served(task.lines), task.told).toEqual([logged, logged]);
  });

  it.each([
    { how: 'asked of the Anthropic vendor', args: [], provider: CC.direct.provider, status: 200, source: 'provider' },
    {
      how: 'estimated after one unretried 529',
      args: ['--model', CC.fallback.alias],
      provider: CC.fallback.failing,
      status: 529,
      source: 'estimate',
    },
  ])(
    'answers /context, each of its count_tokens calls $how',
    { timeout: CLI_TIMEOUT_MS + 15_000 },
    async ({ args, provider, status, source }) => {
      if ('skip' in cli) return;
      const task = await runTask(cli, instance, `context-${source}`, () => ['-p', '/context', ...args]);
      expectExitedWell(task);
      expect(task.run.stdout, task.told).toContain('## Context Usage');
      expect(task.calls.length, task.told).toBeGreaterThan(5);
      expect(task.calls.map(callOf), task.told).toEqual(task.calls.map(() => `/v1/messages/count_tokens?beta=true ${status} ${provider}`));
      const counted = served(task.lines).map((l) => ({ route: l.route, client: l.client, source: l.source, attempts: l.attempts }));
      const expected = { route: '/v1/messages/count_tokens', client: CLAUDE_CODE_CLIENT, source, attempts: [`${provider} ${status}`] };
      expect(counted, task.told).toEqual(task.calls.map(() => expected));
    },
  );
});
