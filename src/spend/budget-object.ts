// The budget Durable Object: one per client and period (`<client>@<YYYY-MM-DD>`, `<client>@tpm@<minute>`); its ledger; RPC only.
import { DurableObject } from 'cloudflare:workers';
import {
  type Amount,
  applyReports,
  emptyLedger,
  type Ledger,
  type Limits,
  reserve,
  settle,
  type UseReport,
  withoutExpired,
} from './ledger.ts';

const KEY = 'ledger';

/** What `reserve` answers: what was granted (nothing when refused), else which limit refused it and what was used of it. */
export interface ReserveReply {
  ok: boolean;
  granted: Amount;
  refusal?: { over: 'tokens' | 'usd'; limit: number; used: number; spent: number };
}

/** What the object holds, for the admin routes and the status page. */
export interface BudgetState {
  spent: Amount;
  /** Held for answers not finished yet (reservations and leases). */
  reserved: Amount;
}

/**
 * SQLite-backed; the ledger is loaded once. Every change is atomic (the object runs one call at a
 * time), so concurrent requests from any isolate can never be granted more than the limits. An
 * alarm drops holds whose holder never settled them (a reservation never leaks) and deletes the
 * object's storage once its period is over (`forgetAt`, given with each call).
 */
export class BudgetObject extends DurableObject<Env> {
  private ledger: Ledger = emptyLedger();
  private forgetAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ledger = (await ctx.storage.get<Ledger>(KEY)) ?? emptyLedger();
      this.forgetAt = (await ctx.storage.get<number>('forgetAt')) ?? 0;
    });
  }

  /** Holds at least `min`, up to `want`, under `id` until `expiresAt`, when it fits the limits (see ledger.ts `reserve`). */
  async reserve(id: string, min: Amount, want: Amount, limits: Limits, expiresAt: number, forgetAt: number): Promise<ReserveReply> {
    const grant = reserve(this.ledger, id, min, want, limits, Date.now(), expiresAt);
    await this.save(grant.ledger, forgetAt);
    if (grant.ok) return { ok: true, granted: grant.granted };
    return {
      ok: false,
      granted: { tokens: 0, usd: 0 },
      refusal: { over: grant.over, limit: grant.limit, used: grant.used, spent: grant.spent },
    };
  }

  /**
   * Reports what holds used, one isolate's leases at a time: a `final` report settles its hold (the
   * hold goes), else the use is spent and the hold shrinks by as much (a lease still open). An
   * unknown or expired id is just spent.
   */
  async report(reports: UseReport[], forgetAt: number): Promise<BudgetState> {
    await this.save(applyReports(this.ledger, reports, Date.now()), forgetAt);
    return this.state();
  }

  /** Spent and held right now. */
  async state(): Promise<BudgetState> {
    const live = withoutExpired(this.ledger, Date.now());
    const reserved = Object.values(live.held).reduce<Amount>(
      (sum, h) => ({ tokens: sum.tokens + h.amount.tokens, usd: sum.usd + h.amount.usd }),
      {
        tokens: 0,
        usd: 0,
      },
    );
    return { spent: live.spent, reserved };
  }

  /** What was spent so far (holds not counted). */
  async total(): Promise<Amount> {
    return this.ledger.spent;
  }

  /** Adds a use that held nothing (settled without a hold); answers the new total. */
  async add(amount: Amount, forgetAt: number): Promise<Amount> {
    await this.save(settle(this.ledger, '', amount, Date.now()), forgetAt);
    return this.ledger.spent;
  }

  /** Idempotent: drops expired holds; once the period is over, forgets everything. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    if (this.forgetAt !== 0 && now >= this.forgetAt) {
      this.ledger = emptyLedger();
      this.forgetAt = 0;
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.save(withoutExpired(this.ledger, now), this.forgetAt);
  }

  private async save(ledger: Ledger, forgetAt: number): Promise<void> {
    this.ledger = ledger;
    this.forgetAt = Math.max(this.forgetAt, forgetAt);
    await this.ctx.storage.put({ [KEY]: ledger, forgetAt: this.forgetAt });
    const expiries = Object.values(ledger.held).map((h) => h.expiresAt);
    const next = Math.min(this.forgetAt || Number.POSITIVE_INFINITY, ...expiries);
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }
}
