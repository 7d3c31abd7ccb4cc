// Stream rescue end to end through `wrangler dev`: both SDKs get one whole answer when the first vendor dies mid-stream.
import Anthropic from '@anthropic-ai/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPLY, RESCUE, RESCUE_CUT, RESCUE_REPEAT } from './config.ts';
import { mockCalls, requestLogLines, resetMock } from './observers.ts';
import { collect, proxyUrl, sdk } from './proxy-client.ts';
import { recordingFetch } from './recorder.ts';

const FULL = Array.from({ length: RESCUE_REPEAT }, () => REPLY).join(' ');
/** What the first vendor sent before it broke: its first RESCUE_CUT word-sized pieces. */
const SENT = (FULL.match(/\s*\S+/g) ?? []).slice(0, RESCUE_CUT).join('');

const openai = sdk();
const anthropic = new Anthropic({ baseURL: proxyUrl, apiKey: 'unused', maxRetries: 0, timeout: 20_000, fetch: recordingFetch });
const question = 'Tell me something long';

/** The text of the assistant prefix the continuing vendor received, in either wire format. */
function prefixSent(body: unknown): string {
  const messages = (body as { messages: { role: string; content: unknown }[] }).messages;
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return '';
  if (typeof last.content === 'string') return last.content;
  return (last.content as { text: string }[]).map((b) => b.text).join('');
}

async function anthropicStream(model: string): Promise<{ text: string; error: unknown }> {
  const stream = anthropic.messages.stream({ model, max_tokens: 500, messages: [{ role: 'user', content: question }] });
  let text = '';
  stream.on('text', (delta) => {
    text += delta;
  });
  try {
    await stream.finalMessage();
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

beforeEach(resetMock);

describe('stream rescue through wrangler dev', () => {
  it('gives the openai SDK one whole answer when an OpenAI vendor is cut and Claude continues it', async () => {
    const got = await collect(
      await openai.chat.completions.create({
        model: RESCUE.openaiByClaude,
        messages: [{ role: 'user', content: question }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(FULL);
    expect(got.chunks.at(-1)?.model).toBe('claude-mock');
    expect(got.chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(RESCUE_CUT);
    const calls = await mockCalls();
    expect(calls.map((c) => c.path)).toEqual(['/v1/chat/completions', '/v1/messages']);
    expect(prefixSent(calls[1]?.body)).toBe(SENT);
  });

  it('gives the Anthropic SDK one whole answer when Claude stalls and an OpenAI vendor continues it', async () => {
    const got = await anthropicStream(RESCUE.claudeByOpenAI);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(FULL);
    const calls = await mockCalls();
    expect(calls.map((c) => c.path)).toEqual(['/v1/messages', '/v1/chat/completions']);
    expect(prefixSent(calls[1]?.body)).toBe(SENT);
  });

  it('gives the Anthropic SDK one whole answer from an OpenAI vendor cut and continued by Claude', async () => {
    const got = await anthropicStream(RESCUE.openaiByClaude);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(FULL);
  });

  it('never asks a target without prefill: both SDKs raise', async () => {
    const got = await collect(
      await openai.chat.completions.create({ model: RESCUE.noPrefill, messages: [{ role: 'user', content: question }], stream: true }),
    );
    expect(got.error).toBeInstanceOf(Error);
    expect(got.text).toBe(SENT);
    expect((await anthropicStream(RESCUE.noPrefill)).error).toBeInstanceOf(Error);
    expect((await mockCalls()).map((c) => c.model)).toEqual(['m-cut', 'm-cut']);
  });

  it('raises the original error when the continuation is refused', async () => {
    const got = await collect(
      await openai.chat.completions.create({ model: RESCUE.rejected, messages: [{ role: 'user', content: question }], stream: true }),
    );
    expect(String(got.error)).toMatch(/cut before the answer finished/);
    expect(String(got.error)).not.toMatch(/rejected|400/);
    expect(got.text).toBe(SENT);
    expect((await mockCalls()).map((c) => c.model)).toEqual(['m-cut', 'm-refuses']);
  });

  it('records the rescue on the log line', async () => {
    await collect(
      await openai.chat.completions.create({ model: RESCUE.openaiByClaude, messages: [{ role: 'user', content: question }], stream: true }),
    );
    await expect
      .poll(() => requestLogLines().filter((l) => l.model === RESCUE.openaiByClaude && Array.isArray(l.rescues)).length, { timeout: 5000 })
      .toBeGreaterThan(0);
    const line = requestLogLines().findLast((l) => l.model === RESCUE.openaiByClaude && Array.isArray(l.rescues));
    expect(line?.rescues).toEqual([
      { from: `${RESCUE.openaiByClaude}-cut`, error: 'stream_interrupted', to: `${RESCUE.openaiByClaude}-claude`, model: 'claude-mock' },
    ]);
    expect(line?.streamOutcome).toBe('complete');
  });
});
