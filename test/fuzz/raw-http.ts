// Requests only a raw socket can send: bytes above 0x7F in headers, broken framing, smuggling shapes, GET with a body.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

/** One raw exchange: the bytes sent, and every response read back before the server closed (or the timeout). */
export interface RawCase {
  name: string;
  bytes: Buffer;
  /**
   * `answer`: at least one response, every one a 4xx. `no-5xx`: a 2xx is fine too (a GET route
   * ignoring a body, a request whose body is read as sent), never a 5xx. `method`: a 4xx, or the
   * 501 an HTTP server owes a method it does not implement (RFC 9110, section 9.1).
   */
  expect: 'answer' | 'no-5xx' | 'method';
  /** Wait this long after the head before sending the body: a server may answer from the head alone. */
  pauseMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CRLF = '\r\n';
const json = '{"model":"chat","messages":[{"role":"user","content":"raw"}]}';
const invalid = '{"model":5,"messages":[]}';

function head(lines: string[]): string {
  return lines.join(CRLF) + CRLF + CRLF;
}

/** `POST path` with `headers` (raw lines) and `body`, closing after the answer. */
function post(host: string, path: string, headers: string[], body: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const top = head([`POST ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...headers]);
  return Buffer.concat([Buffer.from(top, 'latin1'), bytes]);
}

const withLength = (body: Buffer | string): string => `Content-Length: ${Buffer.byteLength(body)}`;

/**
 * `method path` with raw `headers`, `Expect: 100-continue` and `body`, as bytes: for bodies over the
 * limit, sent with a pause after the head. The proxy refuses them from their Content-Length, before
 * reading them; under wrangler dev, a body still arriving then makes Miniflare's entry worker answer
 * 500 "Network connection lost" in place of the proxy's 413 (a client that waits for 100-continue,
 * as it should, never sees that).
 */
export function rawRequest(host: string, method: string, path: string, headers: Record<string, string>, body: Buffer): Buffer {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const top = head([
    `${method} ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: close',
    'Expect: 100-continue',
    ...lines,
    withLength(body),
  ]);
  return Buffer.concat([Buffer.from(top, 'latin1'), body]);
}

/** Chunked transfer encoding of `body` in pieces of `size` bytes. */
function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}${CRLF}`), piece, Buffer.from(CRLF));
  }
  parts.push(Buffer.from(`0${CRLF}${CRLF}`));
  return Buffer.concat(parts);
}

/** The raw cases against `host` (`127.0.0.1:PORT`). */
export function rawCases(host: string): RawCase[] {
  const chat = '/v1/chat/completions';
  const messages = '/v1/messages';
  const type = 'Content-Type: application/json';
  const high = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0xe9]).toString('latin1');
  const badUtf8Body = Buffer.concat([
    Buffer.from('{"model":"chat","messages":[{"role":"user","content":"a'),
    Buffer.from([0xff, 0xc3, 0x28]),
    Buffer.from('"}]}'),
  ]);
  const big = Buffer.from(`{"model":"chat","messages":[{"role":"user","content":"${'x'.repeat(2 * 1024 * 1024)}"}]}`);
  const cases: RawCase[] = [];
  const add = (name: string, bytes: Buffer | string, expect: RawCase['expect'] = 'answer', pauseMs?: number): void => {
    cases.push({ name, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1'), expect, ...(pauseMs ? { pauseMs } : {}) });
  };
  for (const header of [
    'x-proxy-cache-ttl',
    'x-request-id',
    'authorization',
    'x-api-key',
    'cache-control',
    'anthropic-version',
    'origin',
  ]) {
    add(`bytes above 0x7F in ${header}`, post(host, chat, [type, `${header}: 1${high}`, withLength(invalid)], invalid));
    add(`bytes above 0x7F in ${header} (messages)`, post(host, messages, [type, `${header}: ${high}`, withLength(invalid)], invalid));
  }
  add('a control character in a header value', post(host, chat, [type, 'x-request-id: a\u0001b', withLength(invalid)], invalid));
  add('a 70 KB header', post(host, chat, [type, `x-junk: ${'j'.repeat(70_000)}`, withLength(invalid)], invalid));
  add('a folded header line', post(host, chat, [type, 'x-proxy-cache-ttl: 60', ' 70', withLength(invalid)], invalid));
  add('a header without a colon', post(host, chat, [type, 'not a header', withLength(invalid)], invalid));
  add('two different Content-Lengths', post(host, chat, [type, withLength(json), 'Content-Length: 3'], json));
  add('a Content-Length that is not a number', post(host, chat, [type, 'Content-Length: ten'], json));
  add('a Content-Length shorter than the body', post(host, chat, [type, 'Content-Length: 10'], json));
  add(
    'Transfer-Encoding and Content-Length together',
    post(host, chat, [type, withLength(invalid), 'Transfer-Encoding: chunked'], chunked(Buffer.from(invalid), 7)),
  );
  add('invalid UTF-8 in a JSON string', post(host, chat, [type, withLength(badUtf8Body)], badUtf8Body));
  add('invalid UTF-8 in a JSON string, chunked', post(host, messages, [type, 'Transfer-Encoding: chunked'], chunked(badUtf8Body, 5)));
  add('a 2 MB body with a Content-Length', post(host, chat, [type, withLength(big)], big), 'answer', 300);
  add('a 2 MB body, chunked (no length)', post(host, chat, [type, 'Transfer-Encoding: chunked'], chunked(big, 64 * 1024)));
  // The client waits for "100 Continue" (or the final answer) before the body, as a client asking for it must.
  add('a 2 MB body announced, 100-continue', post(host, chat, [type, withLength(big), 'Expect: 100-continue'], big), 'answer', 300);
  // Request bodies are read as sent: a Content-Encoding is not applied, so a compressed body is not JSON.
  const gzipped = gzipSync(json);
  add('a gzip-compressed body (Content-Encoding: gzip)', post(host, chat, [type, 'Content-Encoding: gzip', withLength(gzipped)], gzipped));
  for (const encoding of ['gzip', 'br', 'x-junk']) {
    add(
      `Content-Encoding ${encoding} on a plain body`,
      post(host, chat, [type, `Content-Encoding: ${encoding}`, withLength(invalid)], invalid),
    );
  }
  add('a JSON body with Content-Type text/plain', post(host, chat, ['Content-Type: text/plain', withLength(json)], json));
  add('no Content-Type', post(host, messages, [withLength(json)], json));
  add(
    'a lowercase method',
    `post ${chat} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
    'method',
  );
  add('a method with junk in it', `PO\u0001ST ${chat} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${CRLF}`);
  add(
    'an unknown method',
    `BREW ${chat} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
    'method',
  );
  add('a bare LF line ending', `POST ${chat} HTTP/1.1\nHost: ${host}\nConnection: close\n${type}\n${withLength(invalid)}\n\n${invalid}`);
  add(
    'a path with raw bytes above 0x7F',
    `POST /v1/chat/${high} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
  );
  add(
    'GET on a POST route, with a body',
    `GET ${chat} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${type}${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
  );
  for (const path of ['/v1/models', '/healthz']) {
    add(
      `GET ${path} with a JSON body`,
      `GET ${path} HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${type}${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
      'no-5xx',
    );
    const garbage = Buffer.from([0xff, 0x00, 0xc3, 0x28]);
    add(
      `GET ${path} with a garbage body`,
      Buffer.concat([Buffer.from(head([`GET ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close', withLength(garbage)])), garbage]),
      'no-5xx',
    );
  }
  add(
    'DELETE /v1/models with a body',
    `DELETE /v1/models HTTP/1.1${CRLF}Host: ${host}${CRLF}Connection: close${CRLF}${withLength(json)}${CRLF}${CRLF}${json}`,
  );
  return cases;
}

/**
 * Bodies that break off while the Worker reads them: the client stops sending, or the chunked
 * framing is broken. Known gap: the app answers 500 `internal_error` (and logs "unhandled error")
 * where a 400 is due; under wrangler dev, Miniflare's entry worker answers 500 with its own stack.
 */
export function brokenBodyCases(host: string): RawCase[] {
  const chat = '/v1/chat/completions';
  const json = '{"model":"chat","messages":[{"role":"user","content":"raw"}]}';
  return [
    {
      name: 'a body shorter than its Content-Length (the client stops sending)',
      bytes: post(host, chat, ['Content-Type: application/json', 'Content-Length: 5000'], json),
      expect: 'answer',
    },
    {
      name: 'an invalid chunk size',
      bytes: post(host, chat, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], `zz${CRLF}${json}${CRLF}0${CRLF}${CRLF}`),
      expect: 'answer',
    },
  ];
}

/**
 * Sends `bytes` (the body `pauseMs` after the head), half-closes, and reads until the server closes
 * (or `timeoutMs`); every response parsed.
 */
export function exchange(port: number, bytes: Buffer, pauseMs = 0, timeoutMs = 10_000): Promise<RawResponse[]> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponses(Buffer.concat(chunks)));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', done);
    socket.on('error', done);
    const split = bytes.indexOf('\r\n\r\n') + 4;
    if (pauseMs === 0 || split < 4) socket.write(bytes, () => socket.end());
    else {
      socket.write(bytes.subarray(0, split));
      setTimeout(() => {
        if (!socket.destroyed) socket.write(bytes.subarray(split), () => socket.end());
      }, pauseMs);
    }
  });
}

/** Every HTTP/1.x response in `data`: status, headers, body (by Content-Length or chunked). */
export function parseResponses(data: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine = '', ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = end + 4;
    let body = '';
    if (headers['transfer-encoding']?.includes('chunked')) {
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) break;
        const size = Number.parseInt(data.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        bodyStart = lineEnd + 2;
        if (!(size > 0)) {
          bodyStart += 2;
          break;
        }
        body += data.subarray(bodyStart, bodyStart + size).toString('utf8');
        bodyStart += size + 2;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      body = data.subarray(bodyStart, bodyStart + length).toString('utf8');
      bodyStart += length;
    }
    // An interim 100 Continue is not an answer.
    if (status !== 100) out.push({ status, headers, body });
    at = bodyStart;
  }
  return out;
}
