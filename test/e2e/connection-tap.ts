// A pass-through HTTP hop in front of the mock vendor that records when the proxy hangs up early.
import { createServer, request } from 'node:http';
import { listenOnLoopback } from '../support/loopback.ts';

/** One request that went through the tap. */
export interface TapEntry {
  path: string;
  /** Milliseconds since the tap started. */
  startedAt: number;
  /** When the proxy closed its side, or null while it is open. */
  closedAt: number | null;
  /** The proxy closed the connection before the mock finished answering. */
  closedEarly: boolean;
  /** Bytes of the mock's answer passed on before the close. */
  bytes: number;
}

export interface ConnectionTap {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the tap. Control endpoints: `GET /__tap/log` (TapEntry[]), `POST /__tap/reset`. The mock
 * itself does not record disconnects, so this hop is how a test sees the upstream call cancelled.
 */
export async function startConnectionTap(target: string): Promise<ConnectionTap> {
  const { hostname, port } = new URL(target);
  const t0 = Date.now();
  let log: TapEntry[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/__tap/log') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(log));
      return;
    }
    if (req.url === '/__tap/reset') {
      log = [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    const entry: TapEntry = { path: req.url ?? '/', startedAt: Date.now() - t0, closedAt: null, closedEarly: false, bytes: 0 };
    log.push(entry);
    const upstream = request({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.on('data', (chunk: Buffer) => {
        entry.bytes += chunk.length;
        res.write(chunk);
      });
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
    res.on('close', () => {
      entry.closedAt = Date.now() - t0;
      if (!res.writableFinished) {
        entry.closedEarly = true;
        upstream.destroy();
      }
    });
  });
  return listenOnLoopback(server);
}
