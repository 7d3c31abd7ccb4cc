// Adversarial pieces the fuzz cases are built from: broken JSON text, deep nesting, junk header values, bad bytes.
import type { Rng } from './prng.ts';

/** Ways to break valid JSON text `t` (an object: starts with `{`, ends with `}`) so it no longer parses as that object. */
export const JSON_BREAKS: readonly (readonly [string, (t: string, rng: Rng) => string])[] = [
  ['truncated', (t, rng) => t.slice(0, rng.int(1, t.length - 1))],
  ['trailing garbage', (t, rng) => t + rng.pick(['x', '}', ',', ' ]', '{}', '\u0000', 'null'])],
  ['single quotes', (t) => t.replaceAll('"', "'")],
  ['trailing comma', (t) => `${t.slice(0, -1)},}`],
  ['comment', (t, rng) => (rng.chance(0.5) ? `/* c */${t}` : `// c\n${t}`)],
  ['NaN literal', (t) => `${t.slice(0, -1)},"temperature":NaN}`],
  ['unquoted key', (t) => t.replace('"model"', 'model')],
  ['raw control character in a string', (t, rng) => t.replace('"model":"', `"model":"${String.fromCharCode(rng.int(0, 31))}`)],
  ['bad escape', (t, rng) => t.replace('"model":"', `"model":"${rng.pick(['\\x41', '\\u12zz', '\\', '\\uD800\\u'])}`)],
  ['empty', () => ''],
  ['whitespace only', () => ' \n\t '],
  // JSON.parse keeps the last of duplicate keys.
  ['duplicate key with a wrong type', (t) => `${t.slice(0, -1)},"model":5}`],
  ['unclosed nesting', (_t, rng) => '['.repeat(rng.int(1, 50_000))],
  ['number too long', (t) => `${t.slice(0, -1)},"model":${'9'.repeat(400)}}`],
  ['random text', (_t, rng) => randomText(rng, rng.int(1, 400))],
  ['JSON inside a string', (t) => JSON.stringify(t)],
];

/** Top-level JSON values that are not an object. */
export const NOT_OBJECTS: readonly string[] = ['[]', '[{"model":"chat"}]', '"chat"', '42', 'true', 'null', '-0', '1e999', '"\\u0000"'];

/** Printable and unprintable characters, any plane, lone surrogates included. */
export function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = rng.int(0, 5);
    if (kind === 0) out += String.fromCharCode(rng.int(0, 31));
    else if (kind === 1) out += String.fromCharCode(rng.int(0xd800, 0xdfff));
    else if (kind === 2) out += String.fromCodePoint(rng.int(0x80, 0x10ffff));
    else out += String.fromCharCode(rng.int(32, 126));
  }
  return out;
}

/** `depth` nested arrays or objects around `inner`, as JSON text. */
export function deepJson(rng: Rng, depth: number, inner = '1'): string {
  if (rng.chance(0.5)) return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
  return `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/**
 * A header value the fetch API accepts (no CR, LF or NUL), but junk to the proxy. ASCII only:
 * workerd would send other characters as UTF-8 (and warn each time); bytes above 0x7F are sent
 * over raw sockets by the HTTP fuzz test instead.
 */
export function junkHeaderValue(rng: Rng): string {
  return rng.pick<() => string>([
    () => '',
    () => ' ',
    () => '-1',
    () => '1e999',
    () => '99999999999999999999999999',
    () => '0x10',
    () => 'abc',
    () => '3600, 60',
    () => 'x'.repeat(rng.int(256, 8000)),
    () =>
      Array.from({ length: rng.int(1, 64) }, () => String.fromCharCode(rng.pick([rng.int(1, 8), rng.int(14, 31), 127, rng.int(32, 126)])))
        .join('')
        .trim() || 'x',
    () => 'no-cache, no-store, max-age=-1, ;;;,,',
    () => 'Bearer',
    () => `Bearer ${'A'.repeat(rng.int(1, 4000))}`,
    () => 'Basic !!!not-base64',
  ])();
}

/** Headers every request may carry, each with a junk value. */
export const JUNK_HEADER_NAMES = [
  'x-proxy-cache-ttl',
  'cache-control',
  'x-request-id',
  'anthropic-version',
  'anthropic-beta',
  'accept',
  'accept-encoding',
  'authorization',
  'x-api-key',
  'origin',
  'x-forwarded-for',
  'cf-connecting-ip',
  'user-agent',
  'x-unknown-header',
] as const;

/** A few junk headers (possibly none). */
export function junkHeaders(rng: Rng): Record<string, string> {
  const headers: Record<string, string> = {};
  const count = rng.weighted([
    [2, 0],
    [3, 1],
    [2, 3],
  ] as const);
  for (let i = 0; i < count; i++) headers[rng.pick(JUNK_HEADER_NAMES)] = junkHeaderValue(rng);
  return headers;
}

/** Byte sequences that are not UTF-8: stray continuation bytes, overlongs, surrogates, truncated sequences, 0xFE/0xFF. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

/** `text` as UTF-8 with `bad` spliced in at `at` (a character offset). */
export function spliceBytes(text: string, at: number, bad: readonly number[]): Uint8Array {
  const encoder = new TextEncoder();
  const head = encoder.encode(text.slice(0, at));
  const tail = encoder.encode(text.slice(at));
  const out = new Uint8Array(head.length + bad.length + tail.length);
  out.set(head, 0);
  out.set(bad, head.length);
  out.set(tail, head.length + bad.length);
  return out;
}
