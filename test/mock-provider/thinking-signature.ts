// Owns the mock's thinking signatures and redacted-thinking payloads: issued from a fixed mock secret, verifiable by the mock alone. Pure.

import { sha256Hex } from './sha256.ts';

/** The secret every mock instance shares, so a signature issued by one verifies on any other. */
const mockSecret = 'edge-llm-proxy mock provider thinking secret v1';

const signaturePrefix = 'mocksig_';
const redactedPrefix = 'mockredacted_';

function mac(kind: string, text: string): string {
  return sha256Hex(`${mockSecret}\u0000${kind}\u0000${text}`);
}

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(encoded: string): string | undefined {
  try {
    const binary = atob(encoded);
    return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** `<base64(hidden)>.<mac>`: a payload only the mock can issue, and read back to check. */
function seal(kind: string, hidden: string): string {
  return `${toBase64(hidden)}.${mac(kind, hidden)}`;
}

function isSealed(kind: string, sealed: string): boolean {
  const [encoded, tag, ...rest] = sealed.split('.');
  if (encoded === undefined || tag === undefined || rest.length > 0) return false;
  const hidden = fromBase64(encoded);
  return hidden !== undefined && tag === mac(kind, hidden);
}

/**
 * The signature of a thinking block whose `thinking` is exactly `text`:
 * `mocksig_<sha256(secret, text)>`. Deterministic, synchronous, the same in workerd and Node.
 */
export function signThinking(text: string): string {
  return `${signaturePrefix}${mac('thinking', text)}`;
}

/**
 * The signature of a thinking block shown empty (`display: "omitted"`) that hides `hidden`:
 * `mocksig_omitted_<base64(hidden)>.<mac>`, so each omitted block still has its own signature,
 * bound to the reasoning it stands for, as Anthropic's are.
 */
export function signOmittedThinking(hidden: string): string {
  return `${signaturePrefix}omitted_${seal('omitted_thinking', hidden)}`;
}

/**
 * Whether `signature` is one the mock issued for a thinking block with exactly this `text`: the
 * `signThinking` of it, or, for an empty text, any `signOmittedThinking` signature.
 */
export function verifyThinking(text: string, signature: string): boolean {
  if (signature === signThinking(text)) return true;
  const omitted = `${signaturePrefix}omitted_`;
  return text === '' && signature.startsWith(omitted) && isSealed('omitted_thinking', signature.slice(omitted.length));
}

/**
 * The `data` of a redacted_thinking block hiding `hidden`: `mockredacted_<base64(hidden)>.<mac>`,
 * opaque to clients, checked by `verifyRedacted`.
 */
export function redactThinking(hidden: string): string {
  return `${redactedPrefix}${seal('redacted_thinking', hidden)}`;
}

/** Whether `data` is a redacted_thinking payload the mock issued (any edit breaks its mac). */
export function verifyRedacted(data: string): boolean {
  return data.startsWith(redactedPrefix) && isSealed('redacted_thinking', data.slice(redactedPrefix.length));
}
