// The breaker Durable Object: one per provider id; holds the truth, applies the policy, decides transitions. RPC only.
import { DurableObject } from 'cloudflare:workers';
import { type BreakerEvent, type BreakerOptions, type BreakerState, initialState, next, upgradeState } from './policy.ts';
import { type BreakerChange, changeOf } from './transition.ts';

const KEY = 'state';

/** What every RPC answers: the state after the call, whether a probe was granted, and the transition it caused. */
export interface BreakerReply {
  state: BreakerState;
  granted: boolean;
  /**
   * Set when this call moved the breaker (closed to open, open to half-open ...). The object is
   * the one place that sees every transition exactly once; the caller that receives it writes the
   * event line and sends the alert (breaker/client.ts, routes/admin.ts).
   */
  change?: BreakerChange;
}

/**
 * SQLite-backed; the state is one small record loaded once in the constructor (a record stored by
 * an earlier version gets the fields it lacks). Options come from the caller's config with every
 * call, so the object and the Worker never disagree on them.
 */
export class BreakerObject extends DurableObject<Env> {
  private current: BreakerState = initialState();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.current = upgradeState(await ctx.storage.get<Partial<BreakerState>>(KEY), Date.now());
    });
  }

  /** Applies an outcome report, a probe request or a forced action, and persists the result. */
  async apply(event: BreakerEvent, options: BreakerOptions): Promise<BreakerReply> {
    const now = Date.now();
    const before = this.current;
    const { state, granted } = next(before, event, now, options);
    if (state === before) return { state, granted };
    this.current = state;
    await this.ctx.storage.put(KEY, state);
    const change = changeOf(before, state, event, now, options);
    return change === undefined ? { state, granted } : { state, granted, change };
  }

  /** The stored state, unchanged. */
  async snapshot(): Promise<BreakerState> {
    return this.current;
  }
}
