// The chaos run's model aliases: one per way a vendor misbehaves, each with its own providers (own breakers), and what to expect of it.
import type { Cycle } from './fault-relay.ts';

/** What the mock answers when nothing else is scripted. */
export const REPLY = 'Hello from the mock provider.';
/** The longer answer of the stream-fault aliases: breaks happen after 3 of its pieces. */
export const LONG_REPEAT = 4;
export const LONG_REPLY = Array.from({ length: LONG_REPEAT }, () => REPLY).join(' ');
export const DEGRADED_REPLY = 'Chaos: every vendor is down.';

/** Short first-token and idle timeouts for the targets scripted to be slow or to stall. */
const DETECT_FAST = { firstTokenTimeoutMs: 300, idleTimeoutMs: 300 };

export type Protocol = 'openai' | 'anthropic';

export interface ChaosTarget {
  provider: string;
  protocol: Protocol;
  /** A fixed mock scenario, or a cycle played by the fault relay. */
  scenario: string | Cycle;
  prefill?: boolean;
  retry?: Record<string, number>;
}

export type Source = 'provider' | 'cache' | 'stale-cache' | 'degraded';

export interface ChaosAlias {
  /** What misbehaves, for the report. */
  what: string;
  targets: ChaosTarget[];
  /** Share of the load, in percent of requests. */
  weight: number;
  /** Only streamed requests (the fault is a stream fault). */
  streamOnly?: boolean;
  /** The text of every complete answer from a vendor or the cache. */
  text: string;
  /** Sources an answer may come from. */
  sources: readonly Source[];
  /** Providers that never answer well after the warm-up: their calls must stay bounded by their breakers. */
  dead?: readonly string[];
  /**
   * The contract's in-band error is expected: a stream broken after its commit point with no
   * prefill target left to continue it. Bounded by the breaker of the provider breaking it.
   */
  inbandErrors?: string;
  /** Prompts answered before the load (to fill the cache); the only target dies after them. */
  warmUp?: number;
}

/** Every third call: 1 in 3 faulty, never two in a row. */
const oneInThree = (fault: string, healthy = ''): Cycle => [
  [1, fault],
  [2, healthy],
];
/** 3 calls in 10 faulty, never two in a row: F H H F H H F H H H. */
const thirtyPercent = (fault: string): Cycle => [
  [1, fault],
  [2, ''],
  [1, fault],
  [2, ''],
  [1, fault],
  [3, ''],
];

const long = `repeat=${LONG_REPEAT}`;
/** How many prompts the `sinking` alias answers before its only vendor dies. */
export const SINKING_WARM_UP = 12;

/** The aliases, by name. Weights add up to 100. */
export const ALIASES: Record<string, ChaosAlias> = {
  flaky: {
    what: 'primary fails 30% with 503 (exactly 3 calls in 10)',
    targets: [
      { provider: 'flaky', protocol: 'openai', scenario: thirtyPercent('status=503') },
      { provider: 'flaky-fb', protocol: 'anthropic', scenario: '' },
    ],
    weight: 15,
    text: REPLY,
    sources: ['provider', 'cache'],
  },
  dead: {
    what: 'primary always 503',
    targets: [
      { provider: 'dead', protocol: 'openai', scenario: 'status=503' },
      { provider: 'dead-fb', protocol: 'openai', scenario: '' },
    ],
    weight: 9,
    text: REPLY,
    sources: ['provider', 'cache'],
    dead: ['dead'],
  },
  'dead-reset': {
    what: 'Anthropic primary resets every connection',
    targets: [
      { provider: 'dead-reset', protocol: 'anthropic', scenario: 'reset' },
      { provider: 'dead-reset-fb', protocol: 'openai', scenario: '' },
    ],
    weight: 6,
    text: REPLY,
    sources: ['provider', 'cache'],
    dead: ['dead-reset'],
  },
  slow: {
    what: 'primary: 30% of streams wait 2 s for a first token (timeout 300 ms)',
    targets: [
      { provider: 'slow', protocol: 'openai', scenario: thirtyPercent('first-token-delay=2000'), retry: DETECT_FAST },
      { provider: 'slow-fb', protocol: 'anthropic', scenario: '' },
    ],
    weight: 8,
    streamOnly: true,
    text: REPLY,
    sources: ['provider', 'cache'],
  },
  'cut-rescue': {
    what: 'primary cuts 1 stream in 3 after 3 pieces; Anthropic prefill target continues',
    targets: [
      { provider: 'cut', protocol: 'openai', scenario: oneInThree(`cut-after=3,${long}`, long) },
      { provider: 'cut-rescuer', protocol: 'anthropic', scenario: long },
    ],
    weight: 10,
    streamOnly: true,
    text: LONG_REPLY,
    sources: ['provider', 'cache'],
  },
  'stall-rescue': {
    what: 'Anthropic primary stalls 1 stream in 3 after 3 pieces (idle 300 ms); prefill target continues',
    targets: [
      { provider: 'stall', protocol: 'anthropic', scenario: oneInThree(`stall-after=3,${long}`, long), retry: DETECT_FAST },
      { provider: 'stall-rescuer', protocol: 'openai', scenario: long, prefill: true },
    ],
    weight: 8,
    streamOnly: true,
    text: LONG_REPLY,
    sources: ['provider', 'cache'],
  },
  'cut-plain': {
    what: 'primary cuts every stream after 3 pieces; fallback is not prefill (no rescue)',
    targets: [
      { provider: 'cut-plain', protocol: 'openai', scenario: `cut-after=3,${long}` },
      { provider: 'cut-plain-fb', protocol: 'openai', scenario: long },
    ],
    weight: 5,
    streamOnly: true,
    text: LONG_REPLY,
    sources: ['provider', 'cache'],
    dead: ['cut-plain'],
    inbandErrors: 'cut after the commit point, no prefill target',
  },
  'storm-long': {
    what: 'primary: 429 with Retry-After: 30 on every call',
    targets: [
      { provider: 'storm-long', protocol: 'openai', scenario: 'status=429,retry-after=30' },
      { provider: 'storm-long-fb', protocol: 'anthropic', scenario: '' },
    ],
    weight: 6,
    text: REPLY,
    sources: ['provider', 'cache'],
    dead: ['storm-long'],
  },
  'storm-short': {
    what: 'Anthropic primary: 529 with Retry-After: 1 on every call',
    targets: [
      { provider: 'storm-short', protocol: 'anthropic', scenario: 'status=529,retry-after=1' },
      { provider: 'storm-short-fb', protocol: 'openai', scenario: '' },
    ],
    weight: 5,
    text: REPLY,
    sources: ['provider', 'cache'],
    dead: ['storm-short'],
  },
  flap: {
    what: 'Anthropic primary flaps: 20 calls up, 5 down (503), again and again',
    targets: [
      {
        provider: 'flap',
        protocol: 'anthropic',
        scenario: [
          [20, ''],
          [5, 'status=503'],
        ],
      },
      { provider: 'flap-fb', protocol: 'openai', scenario: '' },
    ],
    weight: 10,
    text: REPLY,
    sources: ['provider', 'cache'],
  },
  'all-dead': {
    what: 'both vendors down (500, 529): degraded replies',
    targets: [
      { provider: 'all-dead-1', protocol: 'openai', scenario: 'status=500' },
      { provider: 'all-dead-2', protocol: 'anthropic', scenario: 'status=529' },
    ],
    weight: 5,
    text: REPLY,
    sources: ['degraded'],
    dead: ['all-dead-1', 'all-dead-2'],
  },
  sinking: {
    what: `only vendor dies after ${SINKING_WARM_UP} answers: cache, stale cache, degraded`,
    targets: [{ provider: 'sinking', protocol: 'openai', scenario: `status=503,after=${SINKING_WARM_UP}` }],
    weight: 6,
    text: REPLY,
    sources: ['cache', 'stale-cache', 'degraded'],
    dead: ['sinking'],
    warmUp: SINKING_WARM_UP,
  },
  healthy: {
    what: 'nothing wrong (baseline)',
    targets: [{ provider: 'healthy', protocol: 'openai', scenario: '' }],
    weight: 7,
    text: REPLY,
    sources: ['provider', 'cache'],
  },
};
