// Stored Responses read back: GET and DELETE /responses/:id and GET /responses/:id/input_items, each only within the caller's own store.
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { badRequest, type ProxyError } from '../errors.ts';
import { deleteResponse, listInputItems, readResponse, responseNotFound } from '../responses/store.ts';

const JSON_NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * OpenAI's list parameters of `input_items`. `include` (and anything else) is accepted and ignored:
 * items are kept whole, so there is nothing more to include.
 */
export const inputItemsQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,6}$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().min(1, 'expected at least 1').max(100, 'expected at most 100'))
    .default(20),
  order: z.enum(['asc', 'desc'], "expected 'asc' or 'desc'").default('desc'),
  after: z.string().min(1, 'expected an item id').optional(),
  before: z.string().min(1, 'expected an item id').optional(),
});
export type InputItemsQuery = z.infer<typeof inputItemsQuerySchema>;

/**
 * Mounted at `/v1` behind the /v1 guards, which set `client`. The store is the client's own object,
 * so another client's id answers the same 404 as an id nobody stored: nothing leaks across tenants.
 */
export function storedResponsesRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/responses/:id', async (c) => {
      const id = c.req.param('id');
      const response = await readResponse(c.env.RESPONSES, c.get('client').name, id);
      if (response === null) throw responseNotFound(id);
      return c.body(response, 200, JSON_NO_STORE);
    })
    .delete('/responses/:id', async (c) => {
      const id = c.req.param('id');
      if (!(await deleteResponse(c.env.RESPONSES, c.get('client').name, id))) throw responseNotFound(id);
      return c.json({ id, object: 'response', deleted: true }, 200, { 'cache-control': 'no-store' });
    })
    .get('/responses/:id/input_items', async (c) => {
      const id = c.req.param('id');
      const query = parseQuery(c.req.query());
      const reply = await listInputItems(c.env.RESPONSES, c.get('client').name, id, query);
      if (reply.ok) return c.body(reply.list, 200, JSON_NO_STORE);
      if (reply.reason === 'not_found') throw responseNotFound(id);
      const param = reply.reason === 'unknown_after' ? 'after' : 'before';
      throw badRequest(`Invalid '${param}': no item with that id is among the input items of this response.`, param, 'invalid_value');
    });
}

/** The query checked; a 400 naming the first bad parameter, in OpenAI's words (`Invalid 'limit': ...`). */
function parseQuery(query: Record<string, string>): InputItemsQuery {
  const result = inputItemsQuerySchema.safeParse(query);
  if (result.success) return result.data;
  throw invalidParam(result.error);
}

function invalidParam(error: z.core.$ZodError): ProxyError {
  const issue = error.issues[0];
  const param = String(issue?.path[0] ?? 'query');
  return badRequest(`Invalid '${param}': ${issue?.message ?? 'invalid value'}.`, param, 'invalid_value');
}
