// Owns the mock provider's URL grammar: where the scenario sits in a path and what its items mean.

/**
 * One scripted behaviour, parsed from the path segments before `/v1/`.
 * Absent optional fields mean "not scripted". Durations are milliseconds unless named otherwise.
 */
export type Scenario = {
  /** The scenario as written in the URL, URL-decoded (`''` for a healthy, unscripted path). */
  raw: string;
  /** Counter scope for `times` and `after`; defaults to `raw`. */
  id: string;
  status?: number;
  code?: string;
  type?: string;
  message?: string;
  /** Faults apply to this many calls of the `id` scope only (after the `after` healthy ones). */
  times?: number;
  /** The first this-many calls of the `id` scope are healthy; faults apply from call `after + 1` on. */
  after?: number;
  retryAfter?: number;
  retryAfterMs?: number;
  retryAfterDate?: number;
  delay?: number;
  firstTokenDelay?: number;
  tokenDelay?: number;
  reply?: string;
  repeat?: number;
  stallAfter?: number;
  cutAfter?: number;
  errorEventAfter?: number;
  malformedAt?: number;
  /** The keys the vendor accepts (`key=K` or `key=K1+K2`); any other key is refused with 401. */
  key?: string;
  /** Keys the vendor answers with 429 as if their quota were spent (`limit-key=K1+K2`). */
  limitKey?: string;
  noDone: boolean;
  reset: boolean;
  hang: boolean;
  badJson: boolean;
  /** Anthropic: the text answer carries a `char_location` citation. */
  citations: boolean;
  /** Anthropic: with thinking on, a `redacted_thinking` block precedes the thinking block. */
  redactedThinking: boolean;
};

/** A parse outcome: a typo in a scenario must be loud, never a silently healthy provider. */
export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; reason: string };

type IntField =
  | 'status'
  | 'times'
  | 'after'
  | 'retryAfter'
  | 'retryAfterMs'
  | 'retryAfterDate'
  | 'delay'
  | 'firstTokenDelay'
  | 'tokenDelay'
  | 'repeat'
  | 'stallAfter'
  | 'cutAfter'
  | 'errorEventAfter'
  | 'malformedAt';
type TextField = 'id' | 'code' | 'type' | 'message' | 'reply' | 'key' | 'limitKey';
type FlagField = 'noDone' | 'reset' | 'hang' | 'badJson' | 'citations' | 'redactedThinking';

const intKeys = {
  status: 'status',
  times: 'times',
  after: 'after',
  'retry-after': 'retryAfter',
  'retry-after-ms': 'retryAfterMs',
  'retry-after-date': 'retryAfterDate',
  delay: 'delay',
  'first-token-delay': 'firstTokenDelay',
  'token-delay': 'tokenDelay',
  repeat: 'repeat',
  'stall-after': 'stallAfter',
  'cut-after': 'cutAfter',
  'error-event-after': 'errorEventAfter',
  'malformed-at': 'malformedAt',
} as const satisfies Record<string, IntField>;

const textKeys = {
  id: 'id',
  code: 'code',
  type: 'type',
  message: 'message',
  reply: 'reply',
  key: 'key',
  'limit-key': 'limitKey',
} as const satisfies Record<string, TextField>;

const flagKeys = {
  'no-done': 'noDone',
  reset: 'reset',
  hang: 'hang',
  'bad-json': 'badJson',
  citations: 'citations',
  'redacted-thinking': 'redactedThinking',
} as const satisfies Record<string, FlagField>;

/**
 * Items that are another item under a name a test reads better: `fail-after-created` is a vendor
 * failing right after the stream's preamble (Responses: `response.created`, `response.in_progress`,
 * then `response.failed`), which is `error-event-after=0` on every wire.
 */
const aliases = new Map([['fail-after-created', 'error-event-after=0']]);

const noFlags = { noDone: false, reset: false, hang: false, badJson: false, citations: false, redactedThinking: false } as const;

function isKeyOf<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(table, key);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits a request path into the scenario prefix and the API path (OpenAI or Anthropic):
 * `/status=429,times=1/v1/chat/completions` → `{ scenario: 'status=429,times=1', apiPath: '/v1/chat/completions' }`.
 * A path without a `v1` segment is returned whole as `apiPath` with an empty scenario.
 * The scenario is left URL-encoded so that encoded commas and slashes survive until items are split.
 */
export function splitMockPath(pathname: string): { scenario: string; apiPath: string } {
  const segments = pathname.split('/');
  const v1 = segments.indexOf('v1');
  if (v1 < 0) return { scenario: '', apiPath: pathname };
  return {
    scenario: segments.slice(1, v1).join('/'),
    apiPath: `/${segments.slice(v1).join('/')}`,
  };
}

/**
 * Parses a scenario such as `status=429,retry-after=2,times=1` (comma- or slash-separated
 * `key=value` items and bare flags, each URL-decoded after splitting). Pure.
 * Unknown keys, missing values and non-integer numbers are reported as `{ ok: false }`.
 */
export function parseScenario(encoded: string): ScenarioResult {
  const items = encoded.split(/[,/]/).filter((item) => item !== '');
  const raw = decode(items.join(','));
  const scenario: Scenario = { raw, id: raw, ...noFlags };
  for (const item of items.map((written) => aliases.get(decode(written)) ?? written)) {
    const eq = item.indexOf('=');
    const key = decode(eq < 0 ? item : item.slice(0, eq));
    const value = eq < 0 ? undefined : decode(item.slice(eq + 1));
    if (isKeyOf(flagKeys, key)) {
      if (value !== undefined) return { ok: false, reason: `flag '${key}' takes no value` };
      scenario[flagKeys[key]] = true;
    } else if (value === undefined) {
      return { ok: false, reason: `unknown flag '${key}' (or missing '=value')` };
    } else if (isKeyOf(textKeys, key)) {
      scenario[textKeys[key]] = value;
    } else if (isKeyOf(intKeys, key)) {
      if (!/^\d+$/.test(value)) return { ok: false, reason: `'${key}' needs a non-negative integer, got '${value}'` };
      scenario[intKeys[key]] = Number(value);
    } else {
      return { ok: false, reason: `unknown scenario key '${key}'` };
    }
  }
  if (scenario.status !== undefined && (scenario.status < 400 || scenario.status > 599)) {
    return { ok: false, reason: `status must be an HTTP error status (400-599), got ${scenario.status}` };
  }
  return { ok: true, scenario };
}

/**
 * Whether the scripted faults apply to the `count`-th call (1-based) in the scenario's scope:
 * calls `after + 1` to `after + times` (`after` defaults to 0, `times` to no end). So `times=2`
 * faults the first two calls, `after=1` every call but the first, `after=1,times=2` calls 2 and 3.
 */
export function faultsApply(scenario: Scenario, count: number): boolean {
  const after = scenario.after ?? 0;
  return count > after && (scenario.times === undefined || count <= after + scenario.times);
}

/**
 * The same scenario with every fault removed, for calls outside the `after`/`times` window.
 * Kept: `id`, `reply`, `repeat`, `citations`, `redacted-thinking` (the content) and `key`,
 * `limit-key` (the vendor's accounts, not a fault).
 */
export function withoutFaults(scenario: Scenario): Scenario {
  const { raw, id, reply, repeat, key, limitKey, citations, redactedThinking } = scenario;
  return { raw, id, reply, repeat, key, limitKey, ...noFlags, citations, redactedThinking };
}

/**
 * What the vendor makes of the key a call presents (`null` when it sent none): `'limited'` for a
 * key named in `limit-key`, `'rejected'` when `key` is scripted and does not list it, else `'ok'`.
 */
export function keyVerdict(scenario: Scenario, presented: string | null): 'ok' | 'rejected' | 'limited' {
  const listed = (list: string | undefined) => presented !== null && list?.split('+').includes(presented) === true;
  if (listed(scenario.limitKey)) return 'limited';
  if (scenario.key !== undefined && !listed(scenario.key)) return 'rejected';
  return 'ok';
}
