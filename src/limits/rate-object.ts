// The per-client rate Durable Object: one per client name, holds its last minute of requests; RPC only.
import { DurableObject } from 'cloudflare:workers';
import { emptyWindow, isIdle, type RateWindow, take } from './rate-window.ts';

const KEY = 'window';
/** An idle object forgets its window (and its row) this long after the last admitted request. */
const FORGET_AFTER_MS = 62_000;

/** What `take` answers. */
export interface RateReply {
  ok: boolean;
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

  /** Admits one request if fewer than `rpm` were admitted in the last minute. */
  async take(rpm: number): Promise<RateReply> {
    const now = Date.now();
    const result = take(this.window, now, rpm);
    if (result.ok) {
      this.window = result.window;
      void this.ctx.storage.put(KEY, result.window, { allowUnconfirmed: true });
      if (!this.alarmSet) {
        this.alarmSet = true;
        void this.ctx.storage.setAlarm(now + FORGET_AFTER_MS, { allowUnconfirmed: true });
      }
    }
    return { ok: result.ok, retryAfterSeconds: result.retryAfterSeconds, retryAtMs: result.retryAtMs, remaining: result.remaining };
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
