// Owns the mock's thinking signatures and redacted-thinking payloads: issued from a fixed mock secret, verifiable by the mock alone. Pure.

import { sealerWith } from './sealed.ts';

/** The secret every mock instance shares, so a signature issued by one verifies on any other. */
const sealer = sealerWith('edge-llm-proxy mock provider thinking secret v1');

const signaturePrefix = 'mocksig_';
const redactedPrefix = 'mockredacted_';

/**
 * The signature of a thinking block whose `thinking` is exactly `text`:
 * `mocksig_<sha256(secret, text)>`. Deterministic, synchronous, the same in workerd and Node.
 */
export function signThinking(text: string): string {
  return `${signaturePrefix}${sealer.mac('thinking', text)}`;
}

/**
 * The signature of a thinking block shown empty (`display: "omitted"`) that hides `hidden`:
 * `mocksig_omitted_<base64(hidden)>.<mac>`, so each omitted block still has its own signature,
 * bound to the reasoning it stands for, as Anthropic's are.
 */
export function signOmittedThinking(hidden: string): string {
  return `${signaturePrefix}omitted_${sealer.seal('omitted_thinking', hidden)}`;
}

/**
 * Whether `signature` is one the mock issued for a thinking block with exactly this `text`: the
 * `signThinking` of it, or, for an empty text, any `signOmittedThinking` signature.
 */
export function verifyThinking(text: string, signature: string): boolean {
  if (signature === signThinking(text)) return true;
  const omitted = `${signaturePrefix}omitted_`;
  return text === '' && signature.startsWith(omitted) && sealer.isSealed('omitted_thinking', signature.slice(omitted.length));
}

/**
 * The `data` of a redacted_thinking block hiding `hidden`: `mockredacted_<base64(hidden)>.<mac>`,
 * opaque to clients, checked by `verifyRedacted`.
 */
export function redactThinking(hidden: string): string {
  return `${redactedPrefix}${sealer.seal('redacted_thinking', hidden)}`;
}

/** Whether `data` is a redacted_thinking payload the mock issued (any edit breaks its mac). */
export function verifyRedacted(data: string): boolean {
  return data.startsWith(redactedPrefix) && sealer.isSealed('redacted_thinking', data.slice(redactedPrefix.length));
}
