// Reads one proxy answer in either protocol and says how it ended: whole, an in-band error, or cut short.

export type Caller = 'openai' | 'anthropic';

/**
 * How an answer ended. `json`: a whole non-streamed answer; `done`: a stream ending with its
 * terminator (`[DONE]`, `message_stop`); `inband-error`: a stream ending with the protocol's error
 * event; `http-error`: a non-200 status; `truncated`: anything else (a stream without an end, a
 * body that is not an answer): the one ending that must never happen.
 */
export type Ending = 'json' | 'done' | 'inband-error' | 'http-error' | 'truncated';

export interface ReadAnswer {
  ending: Ending;
  text: string;
  /** Why it is `truncated` or malformed. */
  problem?: string;
}

/** Classifies a complete response body. */
export function readAnswer(caller: Caller, stream: boolean, status: number, body: string): ReadAnswer {
  if (status !== 200) return { ending: 'http-error', text: '', problem: `HTTP ${status}: ${body.slice(0, 200)}` };
  if (!stream) return readJson(caller, body);
  return caller === 'openai' ? readOpenAIStream(body) : readAnthropicStream(body);
}

function readJson(caller: Caller, body: string): ReadAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ending: 'truncated', text: '', problem: `not JSON: ${body.slice(0, 120)}` };
  }
  if (caller === 'openai') {
    const message = (parsed as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message;
    // A tool call has no content (null).
    if (message === undefined || (typeof message.content !== 'string' && message.content !== null)) {
      return { ending: 'truncated', text: '', problem: `no message: ${body.slice(0, 160)}` };
    }
    return { ending: 'json', text: message.content ?? '' };
  }
  const message = parsed as { type?: unknown; content?: { type?: string; text?: string }[] };
  if (message.type !== 'message' || !Array.isArray(message.content)) {
    return { ending: 'truncated', text: '', problem: `not a message: ${body.slice(0, 160)}` };
  }
  return { ending: 'json', text: message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('') };
}

/** SSE blocks as `{event, data}`; comments and blank blocks dropped. */
export function sseBlocks(body: string): { event: string; data: string }[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = '';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      return { event, data: data.join('\n') };
    })
    .filter((block) => block.event !== '' || block.data !== '');
}

function readOpenAIStream(body: string): ReadAnswer {
  const blocks = sseBlocks(body);
  let text = '';
  for (const [i, { data }] of blocks.entries()) {
    const last = i === blocks.length - 1;
    if (data === '[DONE]') return last ? { ending: 'done', text } : { ending: 'truncated', text, problem: 'events after [DONE]' };
    let chunk: { error?: unknown; choices?: { delta?: { content?: unknown } }[] };
    try {
      chunk = JSON.parse(data);
    } catch {
      return { ending: 'truncated', text, problem: `malformed event: ${data.slice(0, 120)}` };
    }
    if (chunk.error !== undefined) {
      return last ? { ending: 'inband-error', text } : { ending: 'truncated', text, problem: 'events after an in-band error' };
    }
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === 'string') text += content;
  }
  return { ending: 'truncated', text, problem: `stream ended without [DONE] or an error: …${body.slice(-120)}` };
}

function readAnthropicStream(body: string): ReadAnswer {
  const blocks = sseBlocks(body);
  let text = '';
  for (const [i, { event, data }] of blocks.entries()) {
    const last = i === blocks.length - 1;
    if (event === 'message_stop' || event === 'error') {
      if (!last) return { ending: 'truncated', text, problem: `events after ${event}` };
      return { ending: event === 'error' ? 'inband-error' : 'done', text };
    }
    if (event !== 'content_block_delta') continue;
    try {
      const delta = (JSON.parse(data) as { delta?: { type?: string; text?: string } }).delta;
      if (delta?.type === 'text_delta') text += delta.text ?? '';
    } catch {
      return { ending: 'truncated', text, problem: `malformed event: ${data.slice(0, 120)}` };
    }
  }
  return { ending: 'truncated', text, problem: `stream ended without message_stop or an error: …${body.slice(-120)}` };
}
