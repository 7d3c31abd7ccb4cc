// The Worker's live JavaScript heap, read through wrangler's DevTools inspector (Chrome DevTools Protocol heap snapshots).
import { writeFileSync } from 'node:fs';

/** An open DevTools session to the Worker. */
export interface HeapProbe {
  /**
   * The live heap in KiB: the sum of every object in a heap snapshot, which V8 takes right after a
   * full collection (workerd does not implement HeapProfiler.collectGarbage). The isolate pauses
   * for about half a second; the snapshot, a few MB, is parsed here and dropped.
   */
  live(): Promise<number>;
  close(): void;
}

interface Message {
  id?: number;
  method?: string;
  params?: { chunk?: string };
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

/** The sum of the nodes' self sizes, in KiB. */
function liveKib(text: string): number {
  const { snapshot, nodes } = JSON.parse(text) as Snapshot;
  const fields = snapshot.meta.node_fields.length;
  const size = snapshot.meta.node_fields.indexOf('self_size');
  let total = 0;
  for (let i = size; i < nodes.length; i += fields) total += nodes[i] ?? 0;
  return total / 1024;
}

/** Connects to `ws://127.0.0.1:<port>/ws`. */
export async function openHeapProbe(port: number): Promise<HeapProbe> {
  const origin = `http://127.0.0.1:${port}`;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`no DevTools inspector on port ${port}`));
  });
  let id = 0;
  let chunks: string[] = [];
  const waiting = new Map<number, () => void>();
  socket.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as Message;
    if (data.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(data.params?.chunk ?? '');
    if (data.id === undefined) return;
    waiting.get(data.id)?.();
    waiting.delete(data.id);
  };
  const call = (method: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const n = ++id;
      const timer = setTimeout(() => {
        waiting.delete(n);
        reject(new Error(`${method}: no answer from the inspector`));
      }, timeoutMs);
      waiting.set(n, () => {
        clearTimeout(timer);
        resolve();
      });
      socket.send(JSON.stringify({ id: n, method }));
    });
  return {
    live: async () => {
      chunks = [];
      // The chunks all arrive before the command's answer.
      await call('HeapProfiler.takeHeapSnapshot', 120_000);
      const text = chunks.join('');
      // For a look with Chrome DevTools (Memory tab, Load): CHAOS_HEAP_DUMP=<file> keeps the last snapshot.
      if (process.env.CHAOS_HEAP_DUMP !== undefined) writeFileSync(process.env.CHAOS_HEAP_DUMP, text);
      const kib = liveKib(text);
      chunks = [];
      return kib;
    },
    close: () => socket.close(),
  };
}
