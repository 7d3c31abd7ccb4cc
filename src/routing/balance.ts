// Which target a request tries first: the list order, a draw by weight, or the lowest recent latency; then the rest in order. Pure.

export type Balance = 'ordered' | 'weighted' | 'latency';

/** The share of `latency` first attempts drawn at random among the drawable targets, so a recovered or new target is measured. */
export const EXPLORATION = 0.05;

/** What the policy knows of one target. */
export interface Candidate {
  /** Its key is set (or none is needed) and not set aside, and its breaker admits traffic. */
  drawable: boolean;
  weight: number;
  /** Recent latency (ms): time to first token for streams, whole answers otherwise; undefined when unknown. */
  latencyMs: number | undefined;
}

/**
 * The index of the target tried first. `ordered`: the first drawable one (the list order, as
 * without balancing). `weighted`: drawn among the drawable ones in proportion to their weights.
 * `latency`: the drawable one with the lowest known latency, except that a share `EXPLORATION` of
 * draws picks a drawable one at random (and targets never measured are picked before measured ones
 * are compared). `pinned` (a sticky session's target) wins while it is drawable. `random` is uniform
 * in [0, 1), drawn twice at most. Undefined when no target is drawable.
 */
export function firstTarget(balance: Balance, candidates: readonly Candidate[], random: () => number, pinned?: number): number | undefined {
  if (pinned !== undefined && candidates[pinned]?.drawable === true) return pinned;
  const drawable = candidates.flatMap((c, i) => (c.drawable ? [i] : []));
  if (drawable.length === 0) return undefined;
  switch (balance) {
    case 'ordered':
      return drawable[0];
    case 'weighted':
      return byWeight(drawable, candidates, random());
    case 'latency': {
      if (random() < EXPLORATION) return drawable[Math.min(drawable.length - 1, Math.floor(random() * drawable.length))];
      const unmeasured = drawable.find((i) => candidates[i]?.latencyMs === undefined);
      if (unmeasured !== undefined) return unmeasured;
      return drawable.reduce((best, i) => ((candidates[i]?.latencyMs ?? 0) < (candidates[best]?.latencyMs ?? 0) ? i : best));
    }
  }
}

function byWeight(drawable: readonly number[], candidates: readonly Candidate[], r: number): number {
  const total = drawable.reduce((sum, i) => sum + (candidates[i]?.weight ?? 0), 0);
  let point = r * total;
  for (const i of drawable) {
    point -= candidates[i]?.weight ?? 0;
    if (point < 0) return i;
  }
  return drawable.at(-1) as number;
}

/** The attempt order: `first`, then every other target in list order (fallback follows the list). */
export function attemptOrder(count: number, first: number | undefined): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (first === undefined || first === 0) return order;
  return [first, ...order.filter((i) => i !== first)];
}
