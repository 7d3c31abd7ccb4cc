// Sticky sessions: which conversation a request belongs to, the target it is pinned to, and moving the pin after an answer.
import { failOpen } from '../limits/fail-open.ts';
import { sha256Hex } from '../sha256.ts';
import type { Pin, SessionPinObject } from './pin-object.ts';

type Pins = DurableObjectNamespace<SessionPinObject> | undefined;

/** The longest a request waits for its conversation's pin before going on without it (a lost pin costs a cache miss). */
const PIN_READ_MS = 150;

/** A conversation: the name of its pin object, and the pin this isolate knows (undefined: none). */
export interface Session {
  name: string;
  pin: Pin | undefined;
  ttlMs: number;
}

// Pins this isolate read or wrote, and when: a conversation's later turns through the same isolate
// need no object call for `FRESH_MS`, after which the object is asked again (another isolate may have moved it).
const known = new Map<string, { pin: Pin | null; at: number }>();
const MAX_KNOWN = 10_000;
const FRESH_MS = 30_000;

/**
 * The conversation of a request, within its client's namespace and alias: the caller's session
 * header (`x-session-id`, else Claude Code's `x-claude-code-session-id`), else the hint its body
 * gives (`prompt_cache_key`, Anthropic `metadata.user_id`, else its system prompt and first user
 * message). Hashed, so the object name says nothing of the conversation.
 */
export async function sessionName(client: string, alias: string, header: string | undefined, hint: string): Promise<string> {
  const identity = header !== undefined && header !== '' ? `header:${header}` : `body:${hint}`;
  return `${client}:${alias}:${await sha256Hex(identity)}`;
}

/** The pin of conversation `name`: what this isolate knows, else read from its object (briefly; none when slow or failing). */
export async function readPin(pins: Pins, name: string, now: number): Promise<Pin | undefined> {
  const held = known.get(name);
  if (held !== undefined && now - held.at < FRESH_MS) return held.pin !== null && held.pin.until > now ? held.pin : undefined;
  const pin = await failOpen('session_pin', pins && (() => pins.getByName(name).get()), PIN_READ_MS);
  remember(name, pin ?? null, now);
  return pin ?? undefined;
}

/**
 * Pins the conversation to the target that answered (`<provider>/<model>`) when that is not its pin
 * yet or the pin is past half its time, in the background: the answer never waits on it.
 */
export function pinAfterAnswer(pins: Pins, session: Session, target: string, now: number, background: (p: Promise<unknown>) => void): void {
  const current = session.pin;
  if (current !== undefined && current.target === target && current.until - now > session.ttlMs / 2) return;
  const pin: Pin = { target, until: now + session.ttlMs };
  remember(session.name, pin, now);
  background(failOpen('session_pin', pins && (() => pins.getByName(session.name).set(pin))));
}

function remember(name: string, pin: Pin | null, now: number): void {
  if (known.size >= MAX_KNOWN && !known.has(name)) known.clear();
  known.set(name, { pin, at: now });
}

/** Forgets the pins this isolate knows (tests). */
export function forgetPins(): void {
  known.clear();
}
