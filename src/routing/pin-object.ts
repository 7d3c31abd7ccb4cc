// The session pin Durable Object: one per sticky conversation (`<client>:<alias>:<hash>`), holding the target that answered it last; RPC only.
import { DurableObject } from 'cloudflare:workers';

/** A conversation's target: `<provider id>/<model>`, and until when the pin holds (epoch ms). */
export interface Pin {
  target: string;
  until: number;
}

const KEY = 'pin';

/**
 * SQLite-backed; tiny. Strongly consistent: a pin written after an answer in one location is what
 * the conversation's next turn reads in any other. An alarm at the pin's end deletes it.
 */
export class SessionPinObject extends DurableObject<Env> {
  /** The pin, or null when there is none or it ended. */
  async get(): Promise<Pin | null> {
    const pin = await this.ctx.storage.get<Pin>(KEY);
    return pin !== undefined && pin.until > Date.now() ? pin : null;
  }

  /** Pins the conversation to `target` until `until`. */
  async set(pin: Pin): Promise<void> {
    await this.ctx.storage.put(KEY, pin);
    await this.ctx.storage.setAlarm(pin.until);
  }

  /** Idempotent: the pin ended (a later `set` moved the alarm on otherwise). */
  override async alarm(): Promise<void> {
    const pin = await this.ctx.storage.get<Pin>(KEY);
    if (pin === undefined || pin.until <= Date.now()) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(pin.until);
  }
}
