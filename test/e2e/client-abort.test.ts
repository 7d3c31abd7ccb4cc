// A caller going away: the proxy must hang up on the vendor too (seen through the connection tap).
import { beforeEach, describe, expect, it } from 'vitest';
import { REPLY } from './config.ts';
import { eventually, logLineFor, mockCalls, resetMock, resetTap, tapLog } from './observers.ts';
import { ask, sdk } from './proxy-client.ts';

const client = sdk();
/** `repeat=50,token-delay=20`: about 250 pieces, 20 ms apart, so five seconds of answer. */
const FULL_STREAM_MS = 5000;
const FULL_ANSWER = Array.from({ length: 50 }, () => REPLY).join(' ');

beforeEach(async () => {
  await resetMock();
  await resetTap();
});

describe('when the client aborts', () => {
  it('closes the upstream connection soon after a streaming request is aborted mid-answer', async () => {
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      { ...ask('client-abort'), stream: true },
      { signal: abort.signal, headers: { 'x-request-id': 'e2e-client-abort' } },
    );
    let text = '';
    let aborted = false;
    try {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (text.length > 40 && !aborted) {
          aborted = true;
          abort.abort();
        }
      }
    } catch {
      // The SDK may raise an abort error here; the point is what happens upstream.
    }
    expect(text.length).toBeGreaterThan(40);
    expect(FULL_ANSWER.startsWith(text)).toBe(true);
    expect(await eventually(async () => (await tapLog())[0]?.closedEarly === true, 2000)).toBe(true);
    const [entry] = await tapLog();
    // Closed soon after the abort, long before the vendor would have finished its answer.
    expect((entry?.closedAt ?? Number.POSITIVE_INFINITY) - (entry?.startedAt ?? 0)).toBeLessThan(FULL_STREAM_MS - 1000);
    expect(await mockCalls()).toHaveLength(1);
    expect(await logLineFor('e2e-client-abort')).toMatchObject({ streamOutcome: 'aborted' });
  });

  // Skipped: under `wrangler dev` the Worker's request.signal never fires when the caller hangs up,
  // even with enable_request_signal applied (checked with wrangler.toml in force, and with a minimal Worker), so a non-streaming abort is not
  // observable locally; the proxy only notices at the attempt timeout. Enable against a deployment.
  it.skip('closes the upstream connection when a request still waiting for its answer is aborted', async () => {
    const abort = new AbortController();
    const pending = client.chat.completions.create(ask('client-abort-waiting'), { signal: abort.signal }).catch((err: unknown) => err);
    expect(await eventually(async () => (await tapLog()).length === 1, 3000)).toBe(true);
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(await eventually(async () => (await tapLog())[0]?.closedEarly === true, 2000)).toBe(true);
    expect(await mockCalls()).toHaveLength(1);
  });
});
