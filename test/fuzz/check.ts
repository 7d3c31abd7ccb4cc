// The verdict on one fuzz answer: a 4xx with a JSON error body in the caller's protocol, or what is wrong with it.
import { type FuzzCase, type Protocol, protocolOf } from './cases.ts';

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `body` is not an error in `protocol`'s shape; undefined when it is. */
export function shapeProblem(protocol: Protocol, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `body is not JSON: ${body.slice(0, 120)}`;
  }
  if (!isObject(parsed) || !isObject(parsed.error)) return `no error object: ${body.slice(0, 120)}`;
  const error = parsed.error;
  if (protocol === 'anthropic') {
    if (parsed.type !== 'error' || !isString(error.type) || !isString(error.message))
      return `not Anthropic's error shape: ${body.slice(0, 160)}`;
    return undefined;
  }
  const okCode = isString(error.code) || error.code === null;
  const okParam = isString(error.param) || error.param === null;
  if (!isString(error.message) || !isString(error.type) || !okCode || !okParam) return `not OpenAI's error shape: ${body.slice(0, 160)}`;
  return undefined;
}

/** Why the answer to `c` breaks the fuzz contract; undefined when it keeps it. */
export function verdict(c: FuzzCase, status: number, body: string): string | undefined {
  if (status < 400 || status > 499) return `status ${status}: ${body.slice(0, 160)}`;
  return shapeProblem(protocolOf(c.path), body);
}

/** One line naming a failed case so it can be reproduced. */
export function describeCase(c: FuzzCase, problem: string): string {
  const size = c.body === undefined ? 0 : typeof c.body === 'string' ? c.body.length : c.body.byteLength;
  return `#${c.n} [${c.kind}: ${c.detail}] ${c.method} ${c.path.slice(0, 60)}${c.keyed ? ' (keyed)' : ''}, body ${size} B: ${problem}`;
}
