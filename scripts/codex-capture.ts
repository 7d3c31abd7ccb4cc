// `node scripts/codex-capture.ts`: records what the real Codex CLI sends to a Responses vendor (test/fixtures/codex/), or with `--fault <f>` shows how it takes a failing one.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Codex, codexEvents, locateCodex, runCodex, startEgressTrap } from '../test/e2e/codex-cli.ts';
import { readDirectives } from '../test/mock-provider/tool-directives.ts';
import type { CliRun } from '../test/support/cli-run.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/codex/', import.meta.url));
/** Fixed directories, so the recorded prompts (cwd, skill roots) stay the same from one recording to the next. */
const PROBE_ROOT = '/tmp/codex-probe';
const KEY = 'sk-codex-capture-fake';
const HELLO = 'MOCK_TOOL exec_command {"cmd": "echo hi > hello.txt"}';

/** One recorded request, as the fixtures hold it. */
interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Each probe: a model name and a prompt; a `MOCK_TOOL` directive makes the recorder call that tool first. */
const PROBES = {
  'no-tool': { model: 'codex-native', prompt: 'Say hi.' },
  'tool-loop': { model: 'codex-native', prompt: `Create hello.txt containing hi. ${HELLO}` },
  'known-model': { model: 'gpt-5.5', prompt: `Create hello.txt containing hi. ${HELLO}` },
} as const;

/** Header values that carry a key are replaced; everything else is kept as sent. */
function redacted(headers: IncomingMessage['headers']): Record<string, string> {
  const secret = /^(authorization|x-api-key|api-key|cookie|openai-api-key)$/;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, secret.test(name) ? '<redacted>' : String(value)] as const),
  );
}

const sse = (type: string, fields: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;

const usage = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 3,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 13,
};

type Item = Record<string, unknown> & { type?: string; role?: string; content?: unknown; output?: unknown };

/**
 * What the fake vendor answers: `Tool said: <output>` after a tool result; before it, the first
 * directive's call, after a reasoning item with a summary and `encrypted_content` (to see how Codex
 * sends those back); else a short text.
 */
function answerItems(input: Item[], n: number): Record<string, unknown>[] {
  const result = input.findLast((item) => item.type === 'function_call_output');
  const text = (words: string) => [
    {
      id: `msg_${n}`,
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: words, annotations: [] }],
    },
  ];
  if (result !== undefined)
    return text(`Tool said: ${typeof result.output === 'string' ? result.output.trim() : JSON.stringify(result.output)}`);
  const userText = input
    .filter((item) => item.role === 'user' && Array.isArray(item.content))
    .flatMap((item) => (item.content as { text?: string }[]).map((part) => part.text ?? ''))
    .join('\n');
  const directive = readDirectives(userText)[0];
  if (directive === undefined) return text('Hi from the recorder.');
  const summary = [{ type: 'summary_text', text: `Calling ${directive.name}.` }];
  return [
    { id: `rs_${n}`, type: 'reasoning', summary, encrypted_content: `recorder-encrypted-${n}` },
    {
      id: `fc_${n}`,
      type: 'function_call',
      status: 'completed',
      call_id: `call_${n}`,
      name: directive.name,
      arguments: JSON.stringify(directive.input),
    },
  ];
}

/**
 * Answers one `POST …/responses` as a Responses vendor streams it, or with the fault named in the
 * path before `/v1` (`status=N`, `failed[=code]`: a `response.failed` event, `cut`: the connection dropped
 * mid-stream, `eof`: the stream ended cleanly but without `response.completed`), each after the
 * first item's start.
 */
function answer(res: ServerResponse, fault: string, body: { input?: Item[] }, n: number): void {
  const status = /^status=(\d{3})$/.exec(fault)?.[1];
  if (status !== undefined) {
    res.writeHead(Number(status), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `recorder: scripted ${status}`, type: 'server_error', code: null, param: null } }));
    return;
  }
  const id = `resp_${n}`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sse('response.created', { response: { id, status: 'in_progress', output: [] } }));
  const items = answerItems(body.input ?? [], n);
  for (const [index, item] of items.entries()) {
    const started = { ...item, status: 'in_progress', ...(item.type === 'message' ? { content: [] } : {}) };
    res.write(sse('response.output_item.added', { output_index: index, item: started }));
    if (item.type === 'message')
      res.write(sse('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta: 'Hi' }));
    if (fault === 'cut') return void res.socket?.destroy();
    if (fault === 'eof') return void res.end();
    if (fault.startsWith('failed')) {
      const error = { code: fault.split('=')[1] ?? 'server_error', message: 'recorder: scripted failure' };
      return void res.end(sse('response.failed', { response: { id, status: 'failed', error, output: [] } }));
    }
    res.write(sse('response.output_item.done', { output_index: index, item }));
  }
  res.end(sse('response.completed', { response: { id, status: 'completed', output: items, usage } }));
}

/** A loopback vendor that records every request and answers it (`answer`). */
async function startRecorder() {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? null : JSON.parse(text);
    const [, fault = '', path = req.url ?? ''] = /^(?:\/([^/]*))?(\/v1\/.*)$/.exec(req.url ?? '') ?? [];
    requests.push({ method: req.method ?? '', path, headers: redacted(req.headers), body });
    if (req.method !== 'POST' || !path.endsWith('/responses')) return void res.writeHead(404).end();
    answer(res, fault, body as { input?: Item[] }, requests.length);
  });
  const listening = await listenOnLoopback(server);
  return { ...listening, requests };
}

/** One `codex exec` run against the recorder; the trap must see nothing. */
async function probe(cli: Exclude<Codex, { skip: string }>, name: string, model: string, prompt: string, fault = '', codexRetries = false) {
  const recorder = await startRecorder();
  const trap = await startEgressTrap();
  const dir = join(PROBE_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'work'), { recursive: true });
  const base = fault === '' ? `${recorder.url}/v1` : `${recorder.url}/${fault}/v1`;
  const options = {
    baseUrl: base,
    model,
    apiKey: KEY,
    home: join(dir, 'home'),
    cwd: join(dir, 'work'),
    trapUrl: trap.url,
    timeoutMs: 120_000,
  };
  const run: CliRun = await runCodex(cli, prompt, { ...options, codexRetries });
  await Promise.all([recorder.close(), trap.close()]);
  if (trap.seen().length > 0) throw new Error(`${name}: Codex tried to leave loopback: ${trap.seen().join(', ')}`);
  return { run, requests: recorder.requests };
}

/** Prints what a run did: exit, time, requests, and its events and stderr in short. */
function report(name: string, run: CliRun, requests: RecordedRequest[]): void {
  console.log(
    `\n== ${name}: exit ${run.code ?? run.signal}${run.timedOut ? ' (timeout)' : ''} in ${run.ms} ms, ${requests.length} requests`,
  );
  for (const event of codexEvents(run.stdout)) console.log(`  ${JSON.stringify(event).slice(0, 300)}`);
  const stderr = run.stderr.split('\n').filter((line) => line.trim() !== '');
  for (const line of stderr.slice(-8)) console.log(`  stderr: ${line.slice(0, 300)}`);
}

const { values } = parseArgs({ options: { fault: { type: 'string' }, 'codex-retries': { type: 'boolean', default: false } } });
const cli = locateCodex();
if ('skip' in cli) throw new Error(cli.skip);
console.log(`${cli.version} (${cli.command.join(' ')})`);
if (values.fault !== undefined) {
  const { run, requests } = await probe(
    cli,
    `fault-${values.fault}`,
    'codex-native',
    PROBES['no-tool'].prompt,
    values.fault,
    values['codex-retries'],
  );
  report(`fault ${values.fault}${values['codex-retries'] ? ' with Codex retries' : ''}`, run, requests);
} else {
  mkdirSync(FIXTURES, { recursive: true });
  for (const [name, { model, prompt }] of Object.entries(PROBES)) {
    const { run, requests } = await probe(cli, name, model, prompt);
    report(name, run, requests);
    if (run.code !== 0) throw new Error(`${name}: Codex failed; nothing written`);
    requests.forEach((request, i) => {
      const file = join(FIXTURES, `${name}.${String(i + 1).padStart(2, '0')}.responses.json`);
      writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
    });
  }
  console.log(`\nwrote ${FIXTURES}; run \`npx biome format --write test/fixtures/codex\``);
}
