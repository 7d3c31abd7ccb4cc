// Inbound body validation helpers: JSON content type, and zod failures as OpenAI 400s.
import type { MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest, ProxyError } from './errors.ts';

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

/**
 * Hono's JSON validator running a zod schema synchronously: @hono/zod-validator always uses
 * safeParseAsync, which costs a measurable share of a request for schemas without async parts.
 * A failed parse becomes a 400 naming the first bad paths.
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return validator('json', (value): z.output<T> => {
    const result = schema.safeParse(value);
    if (!result.success) throw invalidBody(result.error);
    return result.data;
  });
}

function invalidBody(error: z.core.$ZodError): ProxyError {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const first = error.issues[0]?.path.map(String).join('.') || null;
  return badRequest(`Invalid request body. ${issues.join('; ')}`, first, 'invalid_request_body');
}
