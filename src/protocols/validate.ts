// Inbound bodies checked against a protocol's schema: a failure is a 400 naming the first bad paths.
import type { z } from 'zod';
import { badRequest, type ProxyError } from '../errors.ts';

/** Parses `body` with `schema` (synchronously: no schema here has async parts); throws a 400 ProxyError. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidBody(result.error);
  return result.data;
}

function invalidBody(error: z.core.$ZodError): ProxyError {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const first = error.issues[0]?.path.map(String).join('.') || null;
  return badRequest(`Invalid request body. ${issues.join('; ')}`, first, 'invalid_request_body');
}

/** A copy of `body` without the named fields: what identifies an answer for the cache. */
export function without(body: Record<string, unknown>, fields: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!fields.has(key) && body[key] !== undefined && body[key] !== null) out[key] = body[key];
  return out;
}
