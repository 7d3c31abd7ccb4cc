// Owns reading streamed bodies in the mock's tests: draining a stream that may error, and splitting SSE into events.

/** One server-sent event: its `event:` name (`''` when none) and its `data:` payload. */
export type SseEvent = { event: string; data: string };

/** Splits an SSE body into events, in order; comment and empty blocks are dropped. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const value = (prefix: string) => lines.find((line) => line.startsWith(prefix))?.slice(prefix.length);
      return { event: value('event: ') ?? '', data: value('data: ') ?? '' };
    })
    .filter((event) => event.event !== '' || event.data !== '');
}

/** Reads a stream until it ends or errors; returns what arrived and the error, if any. */
export async function drain(body: ReadableStream<Uint8Array> | null): Promise<{ text: string; error: unknown }> {
  if (body === null) return { text: '', error: undefined };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}
