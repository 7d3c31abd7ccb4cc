// Inbound body helpers: JSON content type, strict UTF-8, JSON parsing, and zod failures as 400s.
import type { Context, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest, ProxyError } from './errors.ts';
import { parseBody } from './protocols/validate.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Refuses bodies that are not declared as JSON (the validator would otherwise see `{}`), and bodies
 * that are not UTF-8 (RFC 8259): decoding them leniently would replace the bad bytes and send the
 * vendor a prompt the caller never wrote. The decoded text goes to Hono's body cache for the validator.
 */
export function requireJson(): MiddlewareHandler {
  return async function requireJson(c, next) {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
      throw badRequest('The request body must be JSON with "Content-Type: application/json".', null, 'invalid_content_type');
    }
    const bytes = await readBody(c.req);
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw badRequest('The request body is not valid UTF-8.', null, 'invalid_json');
    }
    // Hono's json() parses its cached text, so the validator reads this decode instead of decoding the
    // bytes again. The cache holds promises at runtime (its declared value types are not).
    (c.req.bodyCache as Record<string, Promise<unknown>>).text = Promise.resolve(text);
    await next();
  };
}

/**
 * The whole body, or a 400 when it breaks off while being read (the client stopped sending, or its
 * framing is broken): that is the caller's fault, not a proxy failure. The size limit's 413 passes through.
 */
async function readBody(request: { arrayBuffer(): Promise<ArrayBuffer> }): Promise<ArrayBuffer> {
  try {
    return await request.arrayBuffer();
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    throw badRequest('The request body could not be read in full.', null, 'invalid_body');
  }
}

/** The body parsed as JSON (from the text `requireJson` decoded); a 400 `invalid_json` when it is not JSON. */
export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest('Malformed JSON in request body.', null, 'invalid_json');
  }
}

/** Hono's JSON validator running a zod schema synchronously (see `parseBody`), for the proxy's own routes. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return validator('json', (value): z.output<T> => parseBody(schema, value));
}
