// A recording HTTP hop between the proxy and the mock vendor: each request's bytes and the vendor's answer bytes, as they passed.
import { createServer, request } from 'node:http';
import { listenOnLoopback } from '../support/loopback.ts';

/** One exchange that went through the hop. Credentials (`x-api-key`, `authorization`) are never kept. */
export interface VendorExchange {
  /** The path as the proxy asked for it, scenario and query included. */
  path: string;
  /** Request headers, names lower-case, credentials left out. */
  headers: Record<string, string>;
  /** The request body text as the proxy sent it. */
  body: string;
  status: number | null;
  /** The vendor's answer text as it sent it (a whole JSON body, or every SSE byte). */
  answer: string;
  /** The vendor finished its answer. */
  done: boolean;
}

export interface VendorTap {
  url: string;
  close(): Promise<void>;
}

const SECRET_HEADERS = new Set(['x-api-key', 'authorization']);

function keptHeaders(raw: NodeJS.Dict<string | string[]>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/**
 * Starts the hop in front of `target` (the mock's origin). Control endpoints: `GET /__vendor/log`
 * (VendorExchange[]), `POST /__vendor/reset`. The mock records parsed bodies; this keeps the bytes,
 * so a test can hold what the caller got against what the vendor sent.
 */
export async function startVendorTap(target: string): Promise<VendorTap> {
  const { hostname, port } = new URL(target);
  let log: VendorExchange[] = [];
  const server = createServer(async (req, res) => {
    if (req.url === '/__vendor/log' || req.url === '/__vendor/reset') {
      if (req.url === '/__vendor/reset') log = [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/__vendor/reset' ? '{"ok":true}' : JSON.stringify(log));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const entry: VendorExchange = {
      path: req.url ?? '/',
      headers: keptHeaders(req.headers),
      body: body.toString('utf8'),
      status: null,
      answer: '',
      done: false,
    };
    log.push(entry);
    const upstream = request({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      entry.status = answer.statusCode ?? null;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      const decoder = new TextDecoder();
      answer.on('data', (chunk: Buffer) => {
        entry.answer += decoder.decode(chunk, { stream: true });
        res.write(chunk);
      });
      answer.on('end', () => {
        entry.done = true;
        res.end();
      });
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  });
  return listenOnLoopback(server);
}
