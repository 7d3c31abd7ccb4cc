// A request's worst case before it is sent: its input tokens, estimated from its body, and its output limit. Pure.
import type { Pricing } from '../config/schema.ts';
import type { Amount } from './ledger.ts';

/** UTF-8 bytes per token of the estimate: fewer than any common tokeniser's average, so it errs high. */
export const BYTES_PER_TOKEN = 3;
/** What an inline image or document counts (vendors bill a typical image at about this many). */
export const TOKENS_PER_BLOB = 1600;
/** A string this long that is base64 (a data URL, an image's `data`) counts as a blob, not as text. */
const BLOB_MIN = 1024;
const BASE64 = /^(data:[^,]*;base64,)?[A-Za-z0-9+/]+={0,2}$/;

const encoder = new TextEncoder();

/**
 * Input tokens of a request body, erring high: ⌈UTF-8 bytes of its JSON / 3⌉ (English runs about 4
 * bytes a token, Chinese or Japanese about 3, code about 3.5), where base64 strings of 1 KiB or more
 * (inline images and documents) count 1,600 tokens each instead of their size. Iterative, so any
 * nesting depth is fine.
 */
export function estimateInputTokens(body: unknown): number {
  let bytes = 0;
  let blobs = 0;
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.length >= BLOB_MIN && BASE64.test(value)) blobs++;
      else bytes += encoder.encode(value).length + 2;
    } else if (Array.isArray(value)) {
      bytes += 2;
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null) {
      bytes += 2;
      for (const [key, item] of Object.entries(value)) {
        bytes += key.length + 3;
        stack.push(item);
      }
    } else bytes += String(value).length;
  }
  return Math.ceil(bytes / BYTES_PER_TOKEN) + blobs * TOKENS_PER_BLOB;
}

/** The worst case of a request: estimated input plus its output limit, in tokens and, at `pricing`, USD. */
export function worstCase(inputTokens: number, outputLimit: number, pricing: Pricing | undefined): Amount {
  const usd = pricing === undefined ? 0 : (inputTokens * pricing.input + outputLimit * pricing.output) / 1_000_000;
  return { tokens: inputTokens + outputLimit, usd: Math.ceil(usd * 1e8) / 1e8 };
}
