// The PROXY_CONFIG of the e2e run: one provider per mock scenario, one model alias per fault.
import { createHash } from 'node:crypto';

/** The fake vendor key. Not shaped like a token, so only the proxy's known-secret scrubbing can hide it. */
export const MOCK_KEY = 'mock-e2e-secret-4f9d1c';

/** The hex SHA-256 of a client key: what an `auth.keys[]` entry holds instead of the key. */
export const keyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

/** What the mock answers when nothing else is scripted. */
export const REPLY = 'Hello from the mock provider.';

/** The healthy provider every fault alias falls back to, and the model it is asked for. */
export const FALLBACK = { provider: 'fallback', model: 'm-fallback' } as const;

/**
 * Fast retries so fault tests finish in a few hundred milliseconds. The first-token and idle
 * timeouts stay roomy here so a healthy stream never trips them on a loaded 2-core machine;
 * the aliases that test those timeouts set FAST_DETECTION on their faulty target.
 */
export const E2E_RETRY = {
  maxRetries: 2,
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxRetryWaitMs: 2000,
  connectTimeoutMs: 2000,
  firstTokenTimeoutMs: 2000,
  idleTimeoutMs: 2000,
  attemptTimeoutMs: 3000,
  deadlineMs: 8000,
};

/** The short first-token and idle timeouts of the targets that test them. */
export const FAST_DETECTION = { firstTokenTimeoutMs: 500, idleTimeoutMs: 500 };

/** Request limits small enough to trip cheaply. */
export const E2E_LIMITS = { maxBodyBytes: 64 * 1024, maxMessages: 16, maxTokens: 4096 };

interface FaultTarget {
  /** Mock scenario without its `id=`; the alias name becomes the id, so `times=` counters never collide. */
  scenario: string;
  /** Per-target retry overrides. */
  retry?: Partial<typeof E2E_RETRY>;
  /** Send this target through the connection tap instead of straight to the mock. */
  tapped?: boolean;
}

/** Error statuses the policy retries on the same target before falling back. */
export const TRANSIENT_STATUSES = [408, 409, 429, 500, 502, 503, 504, 524, 529] as const;
/** Provider-side auth/config/quota errors: skipped without retry. */
export const SKIP_SCENARIOS = {
  's401-skip': 'status=401',
  's402-skip': 'status=402',
  's403-skip': 'status=403',
  's404-skip': 'status=404',
  'quota-skip': 'status=429,code=insufficient_quota',
} as const;
/** Terminal errors: returned to the caller, never falling back. */
export const TERMINAL_SCENARIOS = {
  's400-terminal': { scenario: 'status=400', status: 400 },
  's422-terminal': { scenario: 'status=422', status: 422 },
  'policy-terminal': { scenario: 'status=400,code=content_policy_violation', status: 400 },
  's500-invalid-terminal': { scenario: 'status=500,type=invalid_request_error', status: 400 },
} as const;

const leakMessage = encodeURIComponent(`Incorrect API key provided: ${MOCK_KEY}`);
/** A refusal of the request itself that echoes the key (a 400 about the key would skip the target instead). */
const leakTerminalMessage = encodeURIComponent(`Invalid value for messages (request signed with ${MOCK_KEY})`);

/** Every alias whose first target is scripted to fail; all fall back to FALLBACK unless `alone`. */
const FAULTS: Record<string, FaultTarget & { alone?: boolean }> = {
  ...Object.fromEntries(TRANSIENT_STATUSES.map((s) => [`s${s}-transient`, { scenario: `status=${s}` }])),
  ...Object.fromEntries(Object.entries(SKIP_SCENARIOS).map(([alias, scenario]) => [alias, { scenario }])),
  ...Object.fromEntries(Object.entries(TERMINAL_SCENARIOS).map(([alias, t]) => [alias, { scenario: t.scenario }])),
  'context-length': { scenario: 'status=400,code=context_length_exceeded' },
  's503-once': { scenario: 'status=503,times=1' },
  'retry-after-seconds-short': { scenario: 'status=429,retry-after=1,times=1' },
  'retry-after-seconds-long': { scenario: 'status=429,retry-after=30' },
  'retry-after-date-short': { scenario: 'status=503,retry-after-date=1,times=1' },
  'retry-after-date-long': { scenario: 'status=503,retry-after-date=60' },
  'retry-after-ms-short': { scenario: 'status=429,retry-after-ms=300,times=1' },
  'retry-after-ms-long': { scenario: 'status=429,retry-after-ms=10000' },
  delay: { scenario: 'delay=200' },
  'delay-too-long': { scenario: 'delay=5000', retry: { attemptTimeoutMs: 1000 } },
  'slow-first-token': { scenario: 'first-token-delay=2000', retry: FAST_DETECTION },
  'stall-after': { scenario: 'stall-after=2', retry: FAST_DETECTION },
  'cut-after': { scenario: 'cut-after=2' },
  'cut-before-first-token': { scenario: 'cut-after=0' },
  'error-event-after': { scenario: 'error-event-after=2' },
  'error-event-before-first-token': { scenario: 'error-event-after=0' },
  malformed: { scenario: 'malformed-at=2', alone: true },
  'no-done': { scenario: 'no-done', retry: { idleTimeoutMs: 5000 }, alone: true },
  reset: { scenario: 'reset,times=1' },
  'reset-always': { scenario: 'reset' },
  hang: { scenario: 'hang', retry: { attemptTimeoutMs: 1000 } },
  'bad-json': { scenario: 'bad-json' },
  'leaky-terminal': { scenario: `status=400,message=${leakTerminalMessage}` },
  'leaky-skip': { scenario: `status=401,message=${leakMessage}` },
  'client-abort': {
    scenario: 'repeat=50,token-delay=20',
    retry: { idleTimeoutMs: 5000, attemptTimeoutMs: 10_000 },
    tapped: true,
    alone: true,
  },
  'client-abort-waiting': { scenario: 'hang', retry: { attemptTimeoutMs: 10_000 }, tapped: true, alone: true },
};

/** Aliases whose every target fails. */
export const ALL_FAIL = {
  /** Both targets 5xx; the first gives a short retry-after-ms, so the 503 carries `Retry-After: 1`. */
  withHint: 'all-fail',
  /** No provider gave a hint: the 503 carries the proxy's default Retry-After. */
  noHint: 'all-fail-no-hint',
} as const;

/** Aliases served by Anthropic-protocol mock targets (the mock speaks both wires). */
export const CLAUDE = {
  /** One healthy Anthropic-protocol target. */
  healthy: 'claude',
  /** An Anthropic-protocol target that cuts its stream after two tokens, alone. */
  cut: 'claude-cut',
  /** An overloaded (529) Anthropic target, then the healthy OpenAI-protocol FALLBACK. */
  toOpenAI: 'claude-to-openai',
  /** A failing OpenAI-protocol target, then a healthy Anthropic one: the README's chain. */
  fromOpenAI: 'openai-to-claude',
} as const;

/** Stream-rescue aliases: each first target breaks mid-answer after RESCUE_CUT content chunks of a long answer. */
export const RESCUE = {
  /** An OpenAI-protocol stream cut, continued by an Anthropic-protocol target (prefill by default). */
  openaiByClaude: 'rescue-openai-by-claude',
  /** An Anthropic-protocol stream that stalls, continued by an OpenAI-protocol target marked prefill. */
  claudeByOpenAI: 'rescue-claude-by-openai',
  /** A cut stream whose only later target is not marked prefill: never asked. */
  noPrefill: 'rescue-no-prefill',
  /** A cut stream whose prefill target refuses the continuation (400). */
  rejected: 'rescue-rejected',
} as const;
/** The long answer the rescue aliases give (the default reply, this many times). */
export const RESCUE_REPEAT = 5;
/** Content chunks sent before the first target breaks. */
export const RESCUE_CUT = 7;

/** Two silent targets under a 1 s request deadline taken from the first target. */
export const DEADLINE_ALIAS = 'deadline';

type Json = Record<string, unknown>;

/**
 * Keeps tests independent of each other: no cache (a repeated prompt would skip the vendor), a
 * breaker that never opens (fault aliases fail on purpose, again and again), and no degraded
 * replies (the all-fail tests want the 503).
 */
const ISOLATION = {
  cache: { enabled: false },
  breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
  degraded: { enabled: false },
};

/**
 * Builds PROXY_CONFIG. `mockUrl` and `tapUrl` are origins (`http://127.0.0.1:PORT`); each scenario
 * becomes `<origin>/<scenario>,id=<alias>/v1`.
 */
export function buildProxyConfig(mockUrl: string, tapUrl: string): Json {
  const providers: Json = {};
  const models: Json = {};
  const provider = (id: string, scenario: string, origin = mockUrl, protocol = 'openai'): string => {
    providers[id] = { protocol, baseUrl: `${origin}/${scenario}/v1`, apiKeyEnv: 'MOCK_KEY' };
    return id;
  };
  const claude = (id: string, scenario: string): string => provider(id, `${scenario},key=${MOCK_KEY},id=${id}`, mockUrl, 'anthropic');
  models[CLAUDE.healthy] = { targets: [{ provider: claude('claude-ok', 'reply=Hello%20from%20Claude.'), model: 'claude-mock' }] };
  models[CLAUDE.cut] = { targets: [{ provider: claude('claude-cut', 'cut-after=2'), model: 'claude-mock' }] };
  models[CLAUDE.toOpenAI] = { targets: [{ provider: claude('claude-529', 'status=529'), model: 'claude-mock' }, FALLBACK] };
  const long = `repeat=${RESCUE_REPEAT}`;
  const rescueTarget = (alias: string, suffix: string, scenario: string, protocol = 'openai') =>
    provider(
      `${alias}-${suffix}`,
      `${scenario},${protocol === 'anthropic' ? `key=${MOCK_KEY},` : ''}id=${alias}-${suffix}`,
      mockUrl,
      protocol,
    );
  models[RESCUE.openaiByClaude] = {
    targets: [
      { provider: rescueTarget(RESCUE.openaiByClaude, 'cut', `cut-after=${RESCUE_CUT},${long}`), model: 'm-cut' },
      { provider: rescueTarget(RESCUE.openaiByClaude, 'claude', long, 'anthropic'), model: 'claude-mock' },
    ],
  };
  models[RESCUE.claudeByOpenAI] = {
    targets: [
      {
        provider: rescueTarget(RESCUE.claudeByOpenAI, 'stall', `stall-after=${RESCUE_CUT},${long}`, 'anthropic'),
        model: 'claude-stall',
        retry: FAST_DETECTION,
      },
      { provider: rescueTarget(RESCUE.claudeByOpenAI, 'openai', long), model: 'm-continue', prefill: true },
    ],
  };
  models[RESCUE.noPrefill] = {
    targets: [
      { provider: rescueTarget(RESCUE.noPrefill, 'cut', `cut-after=${RESCUE_CUT},${long}`), model: 'm-cut' },
      { provider: rescueTarget(RESCUE.noPrefill, 'plain', long), model: 'm-plain' },
    ],
  };
  models[RESCUE.rejected] = {
    targets: [
      { provider: rescueTarget(RESCUE.rejected, 'cut', `cut-after=${RESCUE_CUT},${long}`), model: 'm-cut' },
      { provider: rescueTarget(RESCUE.rejected, 'refuses', 'status=400'), model: 'm-refuses', prefill: true },
    ],
  };
  models[CLAUDE.fromOpenAI] = {
    targets: [
      { provider: provider('openai-503', 'status=503,id=openai-503'), model: 'm-openai-503' },
      { provider: 'claude-ok', model: 'claude-mock' },
    ],
  };
  provider('ok', 'id=ok');
  provider(FALLBACK.provider, `id=${FALLBACK.provider}`);
  models.healthy = { targets: [{ provider: 'ok', model: 'm-ok', pricing: { input: 1, output: 2 } }] };
  for (const [alias, fault] of Object.entries(FAULTS)) {
    const id = provider(alias, `${fault.scenario},id=${alias}`, fault.tapped ? tapUrl : mockUrl);
    const first = { provider: id, model: `m-${alias}`, ...(fault.retry ? { retry: fault.retry } : {}) };
    models[alias] = { targets: fault.alone ? [first] : [first, FALLBACK] };
  }
  provider('af-hint', 'status=503,retry-after-ms=50,id=af-hint');
  provider('af-502', 'status=502,id=af-502');
  provider('af-500', 'status=500,id=af-500');
  models[ALL_FAIL.withHint] = {
    targets: [
      { provider: 'af-hint', model: 'm-af-hint' },
      { provider: 'af-502', model: 'm-af-502' },
    ],
  };
  models[ALL_FAIL.noHint] = { targets: [{ provider: 'af-500', model: 'm-af-500' }] };
  provider(DEADLINE_ALIAS, `hang,id=${DEADLINE_ALIAS}`);
  models[DEADLINE_ALIAS] = {
    targets: [
      { provider: DEADLINE_ALIAS, model: 'm-deadline-1', retry: { attemptTimeoutMs: 600, deadlineMs: 1000 } },
      { provider: DEADLINE_ALIAS, model: 'm-deadline-2', retry: { attemptTimeoutMs: 600 } },
    ],
  };
  return { providers, models, retry: E2E_RETRY, limits: E2E_LIMITS, ...ISOLATION };
}
