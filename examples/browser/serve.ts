// Serves the browser example: the page, the openai SDK's ESM build from node_modules, and a demo token endpoint.
//
//   PROXY_JWT_SECRET=... npx node examples/browser/serve.ts --port 8080 --proxy http://127.0.0.1:8787 --model chat
//
// Open http://127.0.0.1:8080 (that origin must be in the proxy's `cors.origins` or the key's `origins`).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sign } from 'hono/jwt';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OPENAI = fileURLToPath(new URL('../../node_modules/openai/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};

export interface ExampleServerOptions {
  port?: number;
  host?: string;
  /** The proxy the page calls. */
  proxyUrl: string;
  /** The model alias the page asks for. */
  model?: string;
  /** PROXY_JWT_SECRET of the proxy: when set, `POST /token` mints client tokens (the app backend's job). */
  jwtSecret?: string;
  /** Claims of minted tokens besides `sub` and `exp`, e.g. `{ rpm: 10, dailyTokens: 20000 }`. */
  tokenClaims?: Record<string, unknown>;
  /** Lifetime of minted tokens. */
  tokenTtlSeconds?: number;
}

export interface ExampleServer {
  /** The page's origin, e.g. `http://127.0.0.1:8080`. */
  url: string;
  close(): Promise<void>;
}

/**
 * The backend side of token auth, as short as it can be: sign `sub` (who the user is) and `exp`
 * with the proxy's HS256 secret. A real backend mints only for a signed-in user (check the session
 * first) and keeps tokens short-lived, so a copied token soon stops working.
 */
export function mintClientToken(secret: string, sub: string, ttlSeconds = 600, claims: Record<string, unknown> = {}): Promise<string> {
  return sign({ ...claims, sub, exp: Math.floor(Date.now() / 1000) + ttlSeconds }, secret, 'HS256');
}

/** Starts the example's static server; `port` 0 picks a free one. */
export async function startExampleServer(options: ExampleServerOptions): Promise<ExampleServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch(() => send(res, 500, 'text/plain', 'internal error'));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ExampleServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'POST' && path === '/token') {
    if (options.jwtSecret === undefined) return send(res, 404, 'application/json', '{"error":"tokens are off"}');
    // A real backend authenticates the user here (session cookie) and picks `sub` and the claims for them.
    const token = await mintClientToken(options.jwtSecret, 'example-user', options.tokenTtlSeconds, options.tokenClaims);
    return send(res, 200, 'application/json', JSON.stringify({ token }));
  }
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
  if (path === '/config.json') {
    const settings = { proxyUrl: options.proxyUrl, model: options.model ?? 'chat', tokens: options.jwtSecret !== undefined };
    return send(res, 200, TYPES['.json'] as string, JSON.stringify(settings));
  }
  const file = path.startsWith('/vendor/openai/')
    ? inside(OPENAI, path.slice('/vendor/openai/'.length))
    : inside(HERE, path === '/' ? 'index.html' : path.slice(1));
  const type = file === undefined ? undefined : TYPES[extname(file)];
  if (file === undefined || type === undefined || file.endsWith('.ts')) return send(res, 404, 'text/plain', 'not found');
  try {
    return send(res, 200, type, await readFile(file));
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
}

/** `relative` under `root`, or undefined when it would leave it. */
function inside(root: string, relative: string): string | undefined {
  const full = normalize(join(root, decodeURIComponent(relative)));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      proxy: { type: 'string', default: 'http://127.0.0.1:8787' },
      model: { type: 'string', default: 'chat' },
    },
  });
  const jwtSecret = process.env.PROXY_JWT_SECRET || undefined;
  const server = await startExampleServer({ port: Number(values.port), proxyUrl: values.proxy, model: values.model, jwtSecret });
  console.log(
    `browser example on ${server.url} (proxy ${values.proxy}; tokens ${jwtSecret === undefined ? 'off: paste a client key' : 'on'})`,
  );
}
