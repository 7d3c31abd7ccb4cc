// What each optional layer costs: the same bundle with the layer on against off, measured in turns in the same phases.
import { addedCpu, addedP50, formatSpread, mark, pairedSpread, throughputRatio, verdict } from './compare.ts';
import { CLIENT_RPM, IP_RPM, WEIGHTED_ALIAS } from './config.ts';
import { LAYER_CONCURRENCY } from './plan.ts';
import { find, type Row, type TargetId } from './rows.ts';

/** One optional layer: two targets one switch apart. */
export interface Layer {
  name: string;
  /** How it is switched, naming both targets. */
  how: string;
  on: TargetId;
  off: TargetId;
  stream: boolean;
  /** Target for the added p50 at c=1, ms, and where it comes from. */
  maxAddedP50?: { ms: number; source: string };
}

/**
 * The layers, each against the closest target without it: breakers (the proxy with and without
 * the BREAKER binding: PROXY_CONFIG cannot switch them off), client keys against `auth.mode =
 * "none"`, a key's budgets or rpm against a key without limits (one instance), the per-IP limit,
 * the cache's lookup on a miss (lookup, in-flight sharing, storing the answer in the background;
 * streaming also assembles the answer), and a weighted draw against a one-target ordered alias.
 */
export const LAYERS: readonly Layer[] = [
  {
    name: 'circuit breakers',
    how: 'BREAKER binding (c) vs none (f)',
    on: 'c',
    off: 'f',
    stream: false,
    maxAddedP50: { ms: 0.1, source: 'issue 16' },
  },
  { name: 'client keys', how: '`auth.mode` keys, a key without limits (h) vs `none` (c)', on: 'h', off: 'c', stream: false },
  {
    name: 'budgets',
    how: 'key with `dailyTokens` and `tpm` (i) vs a key without limits (h), one instance',
    on: 'i',
    off: 'h',
    stream: false,
    maxAddedP50: { ms: 1, source: 'issue 15' },
  },
  {
    name: 'client rpm',
    how: `key with \`rpm\` ${CLIENT_RPM} (j) vs a key without limits (h), one instance`,
    on: 'j',
    off: 'h',
    stream: false,
  },
  {
    name: 'IP limit',
    how: `\`limits.ipRpm\` ${IP_RPM} (k) vs 0 (c); Miniflare's limiter is a Durable Object`,
    on: 'k',
    off: 'c',
    stream: false,
  },
  { name: 'cache lookup, miss', how: '`cache.enabled` true, every request new (l) vs false (c)', on: 'l', off: 'c', stream: false },
  {
    name: 'cache lookup, miss, streaming',
    how: 'the same, streamed: the answer is also assembled to be stored',
    on: 'l',
    off: 'c',
    stream: true,
  },
  {
    name: 'weighted draw',
    how: `alias \`${WEIGHTED_ALIAS}\`, \`balance: "weighted"\` over two targets (g) vs one ordered target (c), one instance`,
    on: 'g',
    off: 'c',
    stream: false,
    maxAddedP50: { ms: 0.05, source: 'issue 14' },
  },
];

/** The layer-cost table's header. */
export function layerHead(): string[] {
  const [low = 1, high = 16] = LAYER_CONCURRENCY;
  return [
    'layer',
    'on vs off',
    `added p50 c=${low}, ms`,
    `added CPU/req c=${low}, ms`,
    `added CPU/req c=${high}, ms`,
    `throughput c=${high}, on / off`,
    'target (p50 c=1)',
    '',
  ];
}

/** One table row per layer measured in this run: medians [min, max] of the per-round differences. */
export function layerRows(rows: Row[]): string[][] {
  const [low = 1, high = 16] = LAYER_CONCURRENCY;
  const out: string[][] = [];
  for (const layer of LAYERS) {
    const at = (c: number): [Row | undefined, Row | undefined] => [
      find(rows, layer.on, layer.stream, c),
      find(rows, layer.off, layer.stream, c),
    ];
    const [on1, off1] = at(low);
    const [onHigh, offHigh] = at(high);
    if (on1 === undefined || off1 === undefined) continue;
    const p50 = pairedSpread(on1, off1, addedP50);
    const limit = layer.maxAddedP50;
    out.push([
      layer.name,
      layer.how,
      formatSpread(p50),
      formatSpread(pairedSpread(on1, off1, addedCpu), 3),
      formatSpread(pairedSpread(onHigh, offHigh, addedCpu), 3),
      formatSpread(pairedSpread(onHigh, offHigh, throughputRatio), 1, 100, '%'),
      limit === undefined ? '—' : `< ${limit.ms} ms (${limit.source})`,
      limit === undefined ? '' : mark(verdict(p50, limit.ms, true)),
    ]);
  }
  return out;
}
