// The breaker Durable Object: one per provider id; holds the truth, applies the policy, RPC only.
import { DurableObject } from 'cloudflare:workers';
import { type BreakerEvent, type BreakerOptions, type BreakerState, initialState, next } from './policy.ts';

const KEY = 'state';

/** What every RPC answers: the state after the call, and whether a probe was granted. */
export interface BreakerReply {
  state: BreakerState;
  granted: boolean;
}

/**
 * SQLite-backed; the state is one small record loaded once in the constructor. Options come from
 * the caller's config with every call, so the object and the Worker never disagree on them.
 */
export class BreakerObject extends DurableObject<Env> {
  private current: BreakerState = initialState();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.current = (await ctx.storage.get<BreakerState>(KEY)) ?? initialState(Date.now());
    });
  }

  /** Applies an outcome report, a probe request or a forced action, and persists the result. */
  async apply(event: BreakerEvent, options: BreakerOptions): Promise<BreakerReply> {
    const { state, granted } = next(this.current, event, Date.now(), options);
    if (state !== this.current) {
      this.current = state;
      await this.ctx.storage.put(KEY, state);
    }
    return { state, granted };
  }

  /** The stored state, unchanged. */
  async snapshot(): Promise<BreakerState> {
    return this.current;
  }
}
