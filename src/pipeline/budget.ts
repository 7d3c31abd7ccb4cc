// A request's reservation in its client's budgets: its worst case held before any upstream call, settled with its real use.
import { emit } from '../observability/events.ts';
import { outputLimit } from '../protocols/registry.ts';
import { estimateInputTokens, worstCase } from '../spend/estimate.ts';
import { type Amount, NOTHING } from '../spend/ledger.ts';
import { periodsOf, refusalError } from '../spend/periods.ts';
import { type Reservation, reserveWorst } from '../spend/reservations.ts';
import type { RequestContext } from './context.ts';

/** A request's hold in its budgets, and what the estimate said of its input (for a stream cut before its usage came). */
export interface Held {
  reservation: Reservation;
  inputTokens: number;
}

/** Budget days this isolate has seen spent out: `budget_exhausted` is written once per period and isolate. */
const exhausted = new Set<string>();

/**
 * Reserves the request's worst case in each of its client's periods (daily budget, tokens per
 * minute): its estimated input tokens plus its output limit (the one it asked for, else the one the
 * first target will be sent) for each choice it asks for (`n`), priced at the first target's pricing. Undefined for a client without
 * budgets. A request that does not fit is refused with a 429 and never reaches a vendor.
 */
export async function reserveFor(ctx: RequestContext): Promise<Held | undefined> {
  const now = Date.now();
  const periods = periodsOf(ctx.client, now);
  if (periods.length === 0) return undefined;
  const first = ctx.targets[0];
  const { request } = ctx;
  const limit =
    request.maxTokens ?? (first === undefined ? ctx.outputCap : (outputLimit(undefined, first, ctx.outputCap) ?? ctx.outputCap));
  // Each of `n` choices may use the whole output limit.
  const output = request.generates ? (limit ?? 0) * Math.max(1, request.choices) : 0;
  const inputTokens = estimateInputTokens(request.body);
  const worst = worstCase(inputTokens, output, first?.pricing);
  const retry = first?.retry ?? ctx.config.raw.retry;
  const holdMs = retry.deadlineMs + 2 * retry.attemptTimeoutMs;
  const result = await reserveWorst({ budgets: ctx.env.BUDGET, holdMs, background: ctx.waitUntil }, periods, worst, now);
  if ('period' in result) {
    const { period, over, limit, used } = result;
    // Only a day whose spending leaves no room is exhausted; a refusal by what requests in flight hold passes in seconds.
    if (period.kind === 'day' && result.lasting && !exhausted.has(period.name)) {
      if (exhausted.size > 10_000) exhausted.clear();
      exhausted.add(period.name);
      emit({ event: 'budget_exhausted', client: ctx.client.name, over, limit, used, resetsAt: period.endsAt }, ctx.sink);
    }
    throw refusalError(result, now);
  }
  return { reservation: result, inputTokens };
}

/** What an answer used against a budget: its tokens, else (a stream cut before it reported usage) the estimate of what it read and wrote. */
export function usedBy(tokens: number | undefined, usd: number | null | undefined, held: Held, piecesWritten: number): Amount {
  if (tokens === undefined) return { tokens: held.inputTokens + piecesWritten, usd: usd ?? 0 };
  return { ...NOTHING, tokens, usd: usd ?? 0 };
}
