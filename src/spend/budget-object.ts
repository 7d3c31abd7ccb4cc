// The daily budget Durable Object: one per client per UTC day (`<client>@<YYYY-MM-DD>`), holds what it spent; RPC only.
import { DurableObject } from 'cloudflare:workers';
import { addSpent, type Spent } from './budget.ts';

const KEY = 'spent';
const NOTHING: Spent = { tokens: 0, usd: 0 };

/**
 * SQLite-backed; the total is loaded once. Usage is added after each answer (the caller does not
 * wait for it); an alarm set with the first addition deletes the object's storage once its day is
 * over, so old days cost nothing.
 */
export class BudgetObject extends DurableObject<Env> {
  private spent: Spent = NOTHING;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.spent = (await ctx.storage.get<Spent>(KEY)) ?? NOTHING;
    });
  }

  /** What this client spent on this object's day so far. */
  async total(): Promise<Spent> {
    return this.spent;
  }

  /** Adds one answer's usage; `forgetAt` (ms) is when the day's record may be deleted. */
  async add(amount: Spent, forgetAt: number): Promise<Spent> {
    const first = this.spent === NOTHING;
    this.spent = addSpent(this.spent, amount);
    await this.ctx.storage.put(KEY, this.spent);
    if (first && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(forgetAt);
    return this.spent;
  }

  /** Idempotent: the day is over, forget it. */
  override async alarm(): Promise<void> {
    this.spent = NOTHING;
    await this.ctx.storage.deleteAll();
  }
}
