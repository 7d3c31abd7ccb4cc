// Owns the Node HTTP wrapper around the mock provider: real sockets, real resets, control endpoints.

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { MockProvider } from './handler.ts';
import { ConnectionLost, createMockProvider } from './handler.ts';

export type MockServerOptions = { port?: number; host?: string; name?: string };

/** A running mock server. `url` is its origin, e.g. `http://127.0.0.1:9101` (append `/<scenario>/v1`). */
export type MockServer = { url: string; port: number; provider: MockProvider; close(): Promise<void> };

async function readRequestBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    try {
      headers.append(name, value);
    } catch {
      // A header undici refuses (e.g. `connection`) is irrelevant to the mock.
    }
  }
  return headers;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes one chunk and resolves once it reached the socket (or the socket is gone). */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const flushed = res.write(chunk, () => resolve());
    if (!flushed) res.once('close', () => resolve());
  });
}

/**
 * Streams `response` to `res`. Bodies that are not event streams are sent whole with a
 * Content-Length; event streams are written chunk by chunk, each awaited (backpressure and an
 * immediate flush). A stream error (`cut-after`, or the client going away) destroys the socket
 * after what was already written, so the client sees a connection cut mid-body.
 */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers = Object.fromEntries(response.headers);
  const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!streaming || response.body === null) {
    const body = new Uint8Array(await response.arrayBuffer());
    res.writeHead(response.status, { ...headers, 'content-length': String(body.byteLength) });
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await write(res, value);
    }
    res.end();
  } catch {
    res.socket?.destroy();
  }
}

async function serve(provider: MockProvider, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const path = req.url ?? '/';
  if (req.method === 'GET' && path === '/__mock/calls') return sendJson(res, 200, provider.calls());
  if (req.method === 'POST' && path === '/__mock/reset') {
    provider.reset();
    return sendJson(res, 200, { ok: true });
  }
  const disconnected = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) disconnected.abort(new DOMException('The client disconnected.', 'AbortError'));
  });
  const body = await readRequestBody(req);
  const request = new Request(`${origin}${path}`, {
    method: req.method,
    headers: toHeaders(req),
    body,
    signal: disconnected.signal,
  });
  let response: Response;
  try {
    response = await provider.fetch(request);
  } catch (error) {
    if (error instanceof ConnectionLost) {
      if (!req.socket.destroyed) req.socket.resetAndDestroy();
      return;
    }
    if (disconnected.signal.aborted) return;
    throw error;
  }
  await writeResponse(res, response);
}

/**
 * Starts the mock provider on `host:port` (port 0 picks a free one). Keep-alive is on; control
 * endpoints: `GET /__mock/calls` (JSON array of MockCall), `POST /__mock/reset`.
 * `close()` drops every open connection, including stalled streams.
 */
export async function startMockServer({ port = 0, host = '127.0.0.1', name }: MockServerOptions = {}): Promise<MockServer> {
  const provider = createMockProvider({ name });
  let origin = `http://${host}:${port}`;
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    serve(provider, req, res, origin).catch((error: unknown) => {
      console.error('mock provider: request failed', error);
      res.socket?.destroy();
    });
  });
  // Longer than typical clients' idle timeouts, so a client never reuses a socket we are closing.
  server.keepAliveTimeout = 30_000;
  server.listen(port, host);
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  origin = `http://${host}:${bound}`;
  return {
    url: origin,
    port: bound,
    provider,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function runsAsScript(): boolean {
  const main: unknown = Reflect.get(import.meta, 'main');
  if (typeof main === 'boolean') return main;
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === import.meta.url;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

if (runsAsScript()) {
  const server = await startMockServer({ port: Number(flag('port') ?? 0), host: flag('host'), name: flag('name') });
  console.log(`mock provider listening on ${server.url}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
