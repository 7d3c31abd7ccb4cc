// Inbound body validation helpers: JSON content type, and zod failures as OpenAI 400s.
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { badRequest } from './errors.ts';

/** Refuses bodies that are not declared as JSON (the validator would otherwise see `{}`). */
export function requireJson(): MiddlewareHandler {
  return async function requireJson(c, next) {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
      throw badRequest('The request body must be JSON with "Content-Type: application/json".', null, 'invalid_content_type');
    }
    await next();
  };
}

/** zValidator hook: a failed parse becomes a 400 naming the first bad paths. */
export function validationHook(result: { success: boolean; error?: z.core.$ZodError }): void {
  if (result.success || result.error === undefined) return;
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const first = result.error.issues[0]?.path.map(String).join('.') || null;
  throw badRequest(`Invalid request body. ${issues.join('; ')}`, first, 'invalid_request_body');
}
