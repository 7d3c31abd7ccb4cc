// Stores a Responses answer for its conversation when the caller asked (`store` true), so `previous_response_id` finds it.
import { isObject, parseJson } from '../protocols/json.ts';
import { saveResponse } from '../responses/store.ts';
import type { AnswerEnd } from './answer.ts';
import type { RequestContext } from './context.ts';

/**
 * Saves the whole Response the caller got (whichever source: a vendor, the cache, a degraded reply)
 * with the request's own input items, in the client's store, in the background. A stream that
 * failed or was abandoned keeps nothing: the caller has no Response to continue from.
 */
export function keep(ctx: RequestContext, end: AnswerEnd): void {
  const plan = ctx.keep;
  if (plan === undefined || end.whole === undefined) return;
  if (end.stream !== undefined && end.stream.outcome !== 'complete') return;
  const response = typeof end.whole === 'string' ? parseJson(end.whole) : end.whole;
  if (!isObject(response) || typeof response.id !== 'string') return;
  const createdAt = typeof response.created_at === 'number' ? response.created_at : Math.floor(Date.now() / 1000);
  const record = { id: response.id, previousId: plan.previousId, createdAt, response, input: plan.input };
  ctx.waitUntil(saveResponse(ctx.env.RESPONSES, ctx.client.name, record, ctx.config.raw.responses.retentionDays));
}
