// Names the cause of a failed connection to a vendor, from what the runtime tells a Worker. Pure.

/**
 * What a thrown fetch error says, first match wins. workerd (as of 2026-11) throws
 * `Error: Network connection lost.` for a refused connection, a reset and a connection closed
 * before any answer alike, and `internal error; reference = <id>` for a DNS or TLS failure, whose
 * real cause it writes to its own log line carrying the same id (`wdErrId = <id>`); both are named
 * as precisely as that allows. Other runtimes (and workerd's own socket errors) name the cause.
 */
const THROWN: readonly (readonly [RegExp, string])[] = [
  [/getaddrinfo|ENOTFOUND|EAI_AGAIN|dns|lookup address|name or service not known|name not resolved/i, 'dns_failure'],
  [/ECONNREFUSED|connection refused|refused/i, 'connection_refused'],
  [/ECONNRESET|connection reset|reset by peer/i, 'connection_reset'],
  [/tls|ssl|certificate|handshake/i, 'tls_error'],
  [/ETIMEDOUT|timed out/i, 'connect_timeout'],
  [/stream ended before the first token/i, 'closed_before_first_token'],
  [/network connection lost|disconnected|socket hang up|other side closed|EPIPE/i, 'connection_lost'],
];

/** `internal error; reference = <id>`: the id of workerd's own log line with the real cause. */
const RUNTIME_REFERENCE = /internal error; reference = ([a-z0-9]+)/i;

/**
 * The cause of a fetch that threw, from its message: `dns_failure`, `connection_refused`,
 * `connection_reset`, `tls_error`, `connect_timeout`, `closed_before_first_token`,
 * `connection_lost` (workerd: refused, reset or closed, it does not say which),
 * `runtime_error:<id>` (workerd: DNS or TLS, see its log line with that id), else `other`.
 */
export function thrownCause(message: string): string {
  for (const [pattern, cause] of THROWN) if (pattern.test(message)) return cause;
  const reference = RUNTIME_REFERENCE.exec(message);
  if (reference?.[1] !== undefined) return `runtime_error:${reference[1].slice(0, 32)}`;
  return 'other';
}

/**
 * On Cloudflare's network a connection problem between an edge and an origin comes back as an
 * HTTP answer with one of Cloudflare's own statuses, not as a thrown error: from the Worker's own
 * subrequest, or from the Cloudflare zone in front of a vendor. Their meaning, by status.
 */
const EDGE_STATUS: Readonly<Record<number, string>> = {
  520: 'origin_empty_or_unknown_response',
  521: 'connection_refused',
  522: 'connect_timeout',
  523: 'origin_unreachable',
  524: 'origin_timeout',
  525: 'tls_handshake_failed',
  526: 'tls_certificate_invalid',
};

/**
 * The cause named by a Cloudflare edge status (`http:521` is a refused connection), or undefined
 * for any other answer. A 530 is a DNS failure when its body carries Cloudflare's error 1016.
 */
export function edgeCause(status: number, text: string): string | undefined {
  if (status === 530) return /\b1016\b/.test(text) ? 'dns_failure' : undefined;
  return EDGE_STATUS[status];
}
