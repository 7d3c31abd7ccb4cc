// The per-IP limit (`limits.ipRpm`) on the Workers Rate Limiting binding: keys and weights. Pure.

/**
 * The `simple.limit` of the IP_LIMITER binding in wrangler.toml: the binding's limit is fixed at
 * deploy time, while `ipRpm` comes from the config, so each request is charged `delta` units of
 * this budget (`ipDelta`). Keep the two equal, or the per-IP limit scales with the ratio.
 */
export const IP_LIMIT_UNITS = 1_000_000;

/**
 * Units one request costs so that `ipRpm` requests fit in a minute. The binding admits a call while
 * its counter is below the limit, so it admits ceil(UNITS / delta) calls: never more than `ipRpm`,
 * exactly `ipRpm` whenever UNITS >= ipRpm * (ipRpm - 1) (every ipRpm up to 1000), and at most 1%
 * fewer up to the schema's ceiling of 10000.
 */
export function ipDelta(ipRpm: number): number {
  return Math.ceil(IP_LIMIT_UNITS / ipRpm);
}

/**
 * The counter a caller's address is charged to: an IPv4 address as it is, an IPv6 address by its
 * /64 network (one subscriber usually holds a whole /64, so single addresses would be free to rotate).
 */
export function ipKey(address: string): string {
  if (!address.includes(':')) return `ip:${address}`;
  return `ip6:${expandIpv6(address).slice(0, 4).join(':')}`;
}

/** The eight hextets of an IPv6 address (an embedded IPv4 tail counts as two). */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::', 2);
  const split = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap(hextets));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((h) => h.replace(/^0+(?=.)/, ''));
}

function hextets(part: string): string[] {
  if (!part.includes('.')) return [part];
  const bytes = part.split('.').map(Number);
  const pair = (a = 0, b = 0): string => ((a << 8) | b).toString(16);
  return [pair(bytes[0], bytes[1]), pair(bytes[2], bytes[3])];
}

/** Whole seconds until the next minute starts: the `Retry-After` of the per-IP limit (an estimate). */
export function secondsToNextMinute(nowMs: number): number {
  return Math.max(1, 60 - Math.floor((nowMs % 60_000) / 1000));
}
