// The order a request tries its targets in: its alias's balance policy and sticky pin, from what this isolate knows.
import type { RequestContext } from '../pipeline/context.ts';
import { attemptOrder, type Candidate, firstTarget } from './balance.ts';
import { hasKey } from './keys.ts';
import { readPin, type Session, sessionName } from './pins.ts';

/** Where a request starts and, for a sticky alias, its conversation. */
export interface Route {
  order: number[];
  session: Session | undefined;
}

/**
 * The attempt order: the list order for an `ordered` alias without a pin; else the first target
 * chosen by the policy (a sticky conversation's pinned target while it is drawable) and the rest
 * in list order. A target is drawable when a key of its pool can be used and this isolate's copy
 * of its breaker is not open: nothing here waits on a breaker object.
 */
export async function routeOf(ctx: RequestContext): Promise<Route> {
  const { targets } = ctx;
  const routing = ctx.config.routing.get(ctx.request.model);
  const natural = targets.map((_, i) => i);
  if (routing === undefined || (routing.balance === 'ordered' && routing.stickyTtlMs === undefined) || targets.length === 1) {
    return { order: natural, session: undefined };
  }
  const now = Date.now();
  let session: Session | undefined;
  let pinned: number | undefined;
  if (routing.stickyTtlMs !== undefined) {
    const name = await sessionName(ctx.client.name, ctx.request.model, ctx.sessionHeader, ctx.request.sessionHint());
    session = { name, pin: await readPin(ctx.env.SESSIONS, name, now), ttlMs: routing.stickyTtlMs };
    const index = targets.findIndex((t) => t.identity === session?.pin?.target);
    if (index >= 0) pinned = index;
  }
  const candidates = targets.map((t): Candidate => {
    const figures = ctx.breakers?.latency(t.provider.id);
    return {
      drawable: hasKey(ctx.env, t.provider, now) && ctx.breakers?.isOpen(t.provider.id) !== true,
      weight: t.weight,
      latencyMs: ctx.request.stream ? (figures?.ttftMs ?? figures?.latencyMs) : figures?.latencyMs,
    };
  });
  const first = firstTarget(routing.balance, candidates, ctx.random, pinned);
  const order = routing.balance === 'ordered' && pinned === undefined ? natural : attemptOrder(targets.length, first);
  return { order, session };
}
