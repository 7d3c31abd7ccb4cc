// Reads Anthropic event streams as text: the events, and the content blocks they build (what a vendor's stream said, independent of any SDK).

/** One SSE event: its name and its data parsed. */
export interface SseEvent {
  event: string | undefined;
  data: unknown;
}

/** The events of an SSE text, in order. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      return { event, data: data === '' ? undefined : (JSON.parse(data) as unknown) };
    });
}

type Block = Record<string, unknown>;
type Delta = { type?: string; text?: string; thinking?: string; signature?: string; partial_json?: string; citation?: unknown };

/**
 * The content blocks an Anthropic event stream builds: each `content_block_start` block with its
 * deltas applied (text, thinking, signature, citations, tool input JSON), as Anthropic documents them.
 */
export function blocksOfStream(events: readonly SseEvent[]): Block[] {
  const blocks: Block[] = [];
  const json = new Map<number, string>();
  for (const { data } of events) {
    const e = data as { type?: string; index?: number; content_block?: Block; delta?: Delta };
    if (e.type === 'content_block_start' && e.index !== undefined && e.content_block !== undefined)
      blocks[e.index] = { ...e.content_block };
    if (e.type !== 'content_block_delta' || e.index === undefined || e.delta === undefined) continue;
    const block = blocks[e.index];
    if (block === undefined) throw new Error(`a delta for block ${e.index} before its start`);
    const d = e.delta;
    if (d.type === 'text_delta') block.text = `${block.text ?? ''}${d.text}`;
    else if (d.type === 'thinking_delta') block.thinking = `${block.thinking ?? ''}${d.thinking}`;
    else if (d.type === 'signature_delta') block.signature = d.signature;
    else if (d.type === 'citations_delta') block.citations = [...((block.citations as unknown[] | undefined) ?? []), d.citation];
    else if (d.type === 'input_json_delta') json.set(e.index, `${json.get(e.index) ?? ''}${d.partial_json}`);
  }
  for (const [index, text] of json) {
    const block = blocks[index];
    if (block !== undefined && text !== '') block.input = JSON.parse(text) as unknown;
  }
  return blocks;
}
