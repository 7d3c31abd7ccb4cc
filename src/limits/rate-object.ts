// The per-client rate Durable Object: one per client name, holds its last minute of requests; RPC only.
import { DurableObject } from 'cloudflare:workers';
import { emptyWindow, isIdle, type RateWindow, refund, take } from './rate-window.ts';

const KEY = 'window';
/** An idle object forgets its window (and its row) this long after the last admitted request. */
const FORGET_AFTER_MS = 62_000;

/** What `take` answers. */
export interface RateReply {
  ok: boolean;
  /** Admissions granted, counted in `second`: 1 for a plain request, up to the `want` asked for; 0 when refused. */
  granted: number;
  /** The whole second (unix) the granted admissions are counted in. */
  second: number;
  retryAfterSeconds: number;
  /** When refused: from when (ms) a request would be admitted; nothing is admitted before it. */
  retryAtMs: number;
  remaining: number;
}

/**
 * SQLite-backed. The window is loaded once; each admitted request is written without waiting for
 * the write to be confirmed (the answer does not wait on disk), so the count survives an eviction
 * or restart. `rpm` comes with every call, so the object never holds a stale copy of the config.
 */
export class ClientRateObject extends DurableObject<Env> {
  private window: RateWindow = emptyWindow();
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.window = (await ctx.storage.get<RateWindow>(KEY)) ?? emptyWindow();
      this.alarmSet = (await ctx.storage.getAlarm()) !== null;
    });
  }

  /**
   * Admits one request if fewer than `rpm` were admitted in the last minute; with `want` > 1, up to
   * that many at once, counted in this second (an isolate's lease, see limits/rpm-lease.ts). `back`:
   * unspent admissions of an earlier lease, given back first.
   */
  async take(rpm: number, want = 1, back?: { second: number; count: number }): Promise<RateReply> {
    const now = Date.now();
    if (back !== undefined) this.save(refund(this.window, back.second, back.count));
    const result = take(this.window, now, rpm, want);
    if (result.ok) {
      this.save(result.window);
      if (!this.alarmSet) {
        this.alarmSet = true;
        void this.ctx.storage.setAlarm(now + FORGET_AFTER_MS, { allowUnconfirmed: true });
      }
    }
    const { ok, granted, second, retryAfterSeconds, retryAtMs, remaining } = result;
    return { ok, granted, second, retryAfterSeconds, retryAtMs, remaining };
  }

  /** Gives back `count` admissions granted in `second` that were never used (the rest of a lease). */
  async refund(second: number, count: number): Promise<void> {
    this.save(refund(this.window, second, count));
  }

  private save(window: RateWindow): void {
    if (window === this.window) return;
    this.window = window;
    void this.ctx.storage.put(KEY, window, { allowUnconfirmed: true });
  }

  /** Idempotent: forgets an idle window, else looks again later. */
  override async alarm(): Promise<void> {
    if (isIdle(this.window, Date.now())) {
      this.window = emptyWindow();
      this.alarmSet = false;
      await this.ctx.storage.deleteAll();
    } else {
      await this.ctx.storage.setAlarm(Date.now() + FORGET_AFTER_MS);
    }
  }
}
