// The real Codex CLI (`codex exec`) through a `wrangler dev` of this file's own (codex-config.ts): a shell-tool loop passed through to a Responses vendor, or translated for a chat-only fallback.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MockCall } from '../mock-provider/handler.ts';
import { served, streamedTurn, useCliInstance } from './cli-task.ts';
import { CODEX_VERSION, locateCodex } from './codex-cli.ts';
import { buildCodexProxyConfig, CODEX_CLIENT, CODEX_KEY, CX } from './codex-config.ts';
import { CLI_TIMEOUT_MS, type CodexTask, runCodexTask } from './codex-task.ts';
import { logLineFor, mockCalls } from './observers.ts';
import { recordingFetch } from './recorder.ts';

const cli = locateCodex();
const instance = useCliInstance('codex', cli, { config: buildCodexProxyConfig, secrets: [[`client key ${CODEX_CLIENT}`, CODEX_KEY]] });

/** Codex's warning for a model name it has no metadata for (every proxy alias): an `error` item, not a failure. */
const NO_METADATA = /^Model metadata for `[\w-]+` not found\. Defaulting to fallback metadata/;

/** A task whose MOCK_TOOL directive makes the vendor call Codex's shell tool, `exec_command`, to write hello.txt. */
function helloTask(name: string, alias: string): Promise<CodexTask> {
  if ('skip' in cli) throw new Error(cli.skip);
  return runCodexTask(
    cli,
    instance,
    name,
    alias,
    () => 'Create hello.txt containing hi. MOCK_TOOL exec_command {"cmd": "echo hi > hello.txt"}',
  );
}

/**
 * The task completed, and only through loopback: exit 0, no `turn.failed` or error event beyond the
 * metadata warning, nothing alarming on stderr, hello.txt written by the shell tool, the vendor's
 * final text (`Tool said: <the command's output>`) as the last agent message, and the egress trap empty.
 */
function expectCompleted(task: CodexTask): void {
  expect(task.run.timedOut, task.told).toBe(false);
  expect(task.run.code, task.told).toBe(0);
  expect(task.run.stderr, task.told).not.toMatch(/error|fail|invalid|retry/i);
  const errors = task.events.filter((e) => e.type === 'error' || e.type === 'turn.failed' || e.item?.type === 'error');
  expect(
    errors.filter((e) => !NO_METADATA.test(e.item?.message ?? '')),
    task.told,
  ).toEqual([]);
  expect(
    task.events.map((e) => e.type),
    task.told,
  ).toContain('turn.completed');
  const commands = task.events.filter((e) => e.type === 'item.completed' && e.item?.type === 'command_execution').map((e) => e.item);
  expect(commands, task.told).toEqual([expect.objectContaining({ command: expect.stringContaining('echo hi > hello.txt'), exit_code: 0 })]);
  expect(readFileSync(join(task.work, 'hello.txt'), 'utf8'), task.told).toBe('hi\n');
  const messages = task.events.filter((e) => e.item?.type === 'agent_message').map((e) => e.item?.text);
  expect(messages.at(-1), task.told).toMatch(/^Tool said: .*Process exited with code 0/s);
  expect(task.egress, task.told).toEqual([]);
}

/** A mock call as `<path> <status the scenario scripts> <provider id>`. */
const callOf = (c: MockCall): string => `${c.path} ${c.scenario.includes('status=503') ? 503 : 200} ${/id=([\w-]+)/.exec(c.scenario)?.[1]}`;

/** A model turn's log line as `served` shows it. */
const turnLine = (model: string, provider: string, attempts: string[]) =>
  streamedTurn(CODEX_CLIENT, '/v1/responses', model, provider, attempts);

type Item = { type: string; call_id?: string; encrypted_content?: string };
type ResponsesBody = { model: string; store?: boolean; include?: string[]; input: Item[]; tools: { type: string; name?: string }[] };

describe('the Codex CLI through the proxy', () => {
  it(`is the pinned version ${CODEX_VERSION}`, () => {
    if ('skip' in cli) return;
    expect(cli.version).toBe(`codex-cli ${CODEX_VERSION}`);
  });

  it('refuses a wrong client key before any vendor call (the key Codex gets is really checked)', async () => {
    const response = await recordingFetch(`${instance.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'e2e-codex-wrong-key', authorization: 'Bearer client-codex-wrong' },
      body: JSON.stringify({ model: CX.native.alias, input: 'hi', stream: true }),
    });
    expect(response.status).toBe(401);
    expect(await mockCalls()).toEqual([]);
    // Wrangler prints the refusal's log line a moment later: waited for here, it cannot land among the next task's lines.
    expect(await logLineFor('e2e-codex-wrong-key', 5000, instance.log)).toMatchObject({ status: 401 });
  });

  it('completes an exec_command tool loop on codex-native, each turn passed through to the Responses vendor as Codex wrote it', {
    timeout: CLI_TIMEOUT_MS + 15_000,
  }, async () => {
    const task = await helloTask('native', CX.native.alias);
    expectCompleted(task);
    const call = `/v1/responses 200 ${CX.native.provider}`;
    expect(task.calls.map(callOf), task.told).toEqual([call, call]);
    const [first, second] = task.calls.map((c) => c.body as ResponsesBody);
    for (const body of [first, second]) {
      expect(body).toMatchObject({ model: CX.native.model, store: false, include: ['reasoning.encrypted_content'] });
      // Codex's tool list reaches the vendor whole: the namespace group and the built-in web_search included.
      expect(body?.tools).toContainEqual(expect.objectContaining({ type: 'namespace', name: 'multi_agent_v1' }));
      expect(body?.tools).toContainEqual(expect.objectContaining({ type: 'web_search' }));
    }
    // The second turn carries the vendor's reasoning (encrypted content kept), its function_call and Codex's output for it.
    const tail = second?.input.slice(-3) ?? [];
    expect(
      tail.map((i) => i.type),
      task.told,
    ).toEqual(['reasoning', 'function_call', 'function_call_output']);
    expect(tail[0]?.encrypted_content, task.told).toEqual(expect.any(String));
    expect(tail[2]?.call_id, task.told).toBe(tail[1]?.call_id);
    const turn = turnLine(CX.native.alias, CX.native.provider, [`${CX.native.provider} 200`]);
    expect(served(task.lines), task.told).toEqual([turn, turn]);
  });

  it('completes the same loop on codex-fallback, whose Responses vendor answers 503: each turn translated to Chat Completions for the chat-only one', {
    timeout: CLI_TIMEOUT_MS + 15_000,
  }, async () => {
    const task = await helloTask('fallback', CX.fallback.alias);
    expectCompleted(task);
    const down = `/v1/responses 503 ${CX.fallback.failing}`;
    const turn = [down, down, down, `/v1/chat/completions 200 ${CX.fallback.provider}`];
    expect(task.calls.map(callOf), task.told).toEqual([...turn, ...turn]);
    type ChatBody = { model: string; messages: { role: string; tool_calls?: { function: { name: string } }[] }[]; tools?: unknown[] };
    const chats = task.calls.filter((c) => c.path === '/v1/chat/completions').map((c) => c.body as ChatBody);
    expect(chats.map((b) => b.model)).toEqual([CX.fallback.model, CX.fallback.model]);
    expect(chats[0]?.tools).toContainEqual(
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'exec_command' }) }),
    );
    // The namespace group arrives flattened; the built-in web_search, which a chat-only vendor cannot run, is not offered.
    expect(chats[0]?.tools).toContainEqual(
      expect.objectContaining({ function: expect.objectContaining({ name: expect.stringMatching(/^multi_agent_v1__/) }) }),
    );
    expect(JSON.stringify(chats[0]?.tools)).not.toContain('web_search');
    const [assistant, tool] = chats[1]?.messages.slice(-2) ?? [];
    expect([assistant?.role, tool?.role], task.told).toEqual(['assistant', 'tool']);
    expect(
      assistant?.tool_calls?.map((c) => c.function.name),
      task.told,
    ).toEqual(['exec_command']);
    const attempts = [...Array(3).fill(`${CX.fallback.failing} 503`), `${CX.fallback.provider} 200`];
    const logged = turnLine(CX.fallback.alias, CX.fallback.provider, attempts);
    expect(served(task.lines), task.told).toEqual([logged, logged]);
    // The log line says what the chat-only target was not given.
    for (const line of task.lines) expect(line.dropped, task.told).toContain('tools.web_search');
  });
});
