// Owns the mock's sealed payloads, `<base64(hidden)>.<mac>`: text only the mock can issue, that it reads back to check. Pure.

import { sha256Hex } from './sha256.ts';

/** Seals under one secret. A `kind` binds a payload to its use, so a seal of one kind never passes for another. */
export interface Sealer {
  /** `sha256(secret, kind, text)` in hex: deterministic, synchronous, the same in workerd and Node. */
  mac(kind: string, text: string): string;
  /** `<base64(hidden)>.<mac(kind, hidden)>`: opaque to clients, bound to exactly `hidden` (any edit breaks the mac). */
  seal(kind: string, hidden: string): string;
  /** Whether `sealed` is a `seal(kind, …)` of this secret, unedited. */
  isSealed(kind: string, sealed: string): boolean;
}

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(encoded: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * A sealer keyed by `secret`. Every mock instance uses the same fixed secrets, so what one instance
 * sealed verifies on any other (the e2e server and the in-process mock alike), as a vendor's own
 * signatures verify across its fleet.
 */
export function sealerWith(secret: string): Sealer {
  const mac = (kind: string, text: string): string => sha256Hex(`${secret}\u0000${kind}\u0000${text}`);
  return {
    mac,
    seal: (kind, hidden) => `${toBase64(hidden)}.${mac(kind, hidden)}`,
    isSealed(kind, sealed) {
      const [encoded, tag, ...rest] = sealed.split('.');
      if (encoded === undefined || tag === undefined || rest.length > 0) return false;
      const hidden = fromBase64(encoded);
      return hidden !== undefined && tag === mac(kind, hidden);
    },
  };
}
