// Reads PROXY_CONFIG once per isolate: validates it, applies presets and resolves every target.
import type { z } from 'zod';
import { TARGETS } from '../protocols/registry.ts';
import { PRESETS, type Protocol } from './presets.ts';
import { type ClientKey, type Pricing, type ProxyConfig, proxyConfigSchema, type RetryOptions, unknownProviderIssues } from './schema.ts';

const DEFAULT_WEBHOOK_ENV = 'ALERT_WEBHOOK_URL';

/** A provider with its preset applied. */
export interface ResolvedProvider {
  id: string;
  protocol: Protocol;
  /** Base URL without a trailing slash. */
  baseUrl: string;
  /** Env var names of the provider's key pool, in pool order; empty when it needs no key. */
  keyEnvs: readonly string[];
  headers: Record<string, string>;
  prefill: boolean;
  /** Send `stream_options.include_usage` on streams (Mistral refuses the field). */
  streamOptions: boolean;
  /** How the vendor continues an assistant prefix (see Preset.prefixStyle). */
  prefixStyle: 'trailing' | 'deepseek';
  /** The Chat Completions field that carries an output limit the proxy sets (see Preset.outputLimitField). */
  outputLimitField: 'max_tokens' | 'max_completion_tokens';
  /** The vendor speaks the Responses API natively (`providers.<id>.responses`, the openai preset). */
  responses: boolean;
}

/** One entry of a model alias's fallback list, with the global retry options merged in. */
export interface ResolvedTarget {
  provider: ResolvedProvider;
  model: string;
  pricing: Pricing | undefined;
  prefill: boolean;
  maxTokens: number | undefined;
  /** Share of first attempts under `balance: "weighted"`. */
  weight: number;
  /** `<provider id>/<model>`: what a sticky conversation is pinned to. */
  identity: string;
  retry: RetryOptions;
}

/** The validated config plus what is derived from it once. */
export interface RuntimeConfig {
  raw: ProxyConfig;
  providers: Map<string, ResolvedProvider>;
  models: Map<string, ResolvedTarget[]>;
  /** Short hash of the canonical config text; part of cache namespaces. */
  version: string;
  /** Env var names of keys that providers need. */
  keyEnvs: string[];
  /** Client keys by the SHA-256 hex of the key (`auth.keys`). */
  clientKeys: Map<string, ClientKey>;
  /** How each model alias picks its first target: its balance policy, and its sticky pins' time (ms) when sticky. */
  routing: Map<string, AliasRouting>;
}

/** How an alias picks the target a request tries first. */
export interface AliasRouting {
  balance: 'ordered' | 'weighted' | 'latency';
  /** Pins of sticky conversations last this long (ms); undefined when the alias is not sticky. */
  stickyTtlMs: number | undefined;
}

export type ConfigResult = { ok: true; config: RuntimeConfig } | { ok: false; issues: string[] };

/** Formats zod issues as `path.to.field: message`, one per bad path. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}

/** Validates and resolves a PROXY_CONFIG value (an object, or JSON text). Pure. */
export function parseConfig(value: unknown): ConfigResult {
  let input = value;
  if (value === undefined || value === null || value === '') {
    return { ok: false, issues: ['PROXY_CONFIG: is not set'] };
  }
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch (err) {
      // V8 quotes the start of the input after a comma (`Unexpected token 'o', "{oops" is not ...`): cut it, the config may be a secret.
      const reason = (err as Error).message.split(/,\s*"/)[0];
      return { ok: false, issues: [`PROXY_CONFIG: is not valid JSON (${reason})`] };
    }
  }
  const parsed = proxyConfigSchema.safeParse(input);
  const references = unknownProviderIssues(input);
  if (!parsed.success || references.length > 0) {
    return { ok: false, issues: [...(parsed.success ? [] : formatIssues(parsed.error)), ...references] };
  }
  return { ok: true, config: resolve(parsed.data) };
}

function resolve(raw: ProxyConfig): RuntimeConfig {
  const providers = new Map<string, ResolvedProvider>();
  for (const [id, p] of Object.entries(raw.providers)) {
    const preset = p.preset === undefined ? undefined : PRESETS[p.preset];
    const baseUrl = (p.baseUrl ?? preset?.baseUrl ?? '').replace(/\/+$/, '');
    const protocol = p.protocol ?? preset?.protocol ?? 'openai';
    providers.set(id, {
      id,
      protocol,
      baseUrl,
      keyEnvs: keyEnvsOf(p.apiKeyEnv ?? (preset !== undefined && 'apiKeyEnv' in preset ? preset.apiKeyEnv : undefined)),
      headers: p.headers ?? {},
      // Some protocols (Anthropic Messages) continue a trailing assistant turn, whoever hosts them.
      prefill: preset !== undefined ? preset.prefill : TARGETS[protocol].prefillByDefault,
      streamOptions: !(preset !== undefined && 'noStreamOptions' in preset),
      prefixStyle: preset !== undefined && 'prefixStyle' in preset ? preset.prefixStyle : 'trailing',
      outputLimitField: preset !== undefined && 'outputLimitField' in preset ? preset.outputLimitField : 'max_tokens',
      responses: p.responses ?? (preset !== undefined && 'responses' in preset && protocol === 'openai'),
    });
  }
  const models = new Map<string, ResolvedTarget[]>();
  for (const [alias, model] of Object.entries(raw.models)) {
    models.set(
      alias,
      model.targets.map((t) => {
        const provider = providers.get(t.provider) as ResolvedProvider;
        return {
          provider,
          model: t.model,
          pricing: t.pricing,
          prefill: t.prefill ?? provider.prefill,
          maxTokens: t.maxTokens,
          weight: t.weight,
          identity: `${provider.id}/${t.model}`,
          retry: { ...raw.retry, ...t.retry },
        };
      }),
    );
  }
  const keyEnvs = [...new Set([...providers.values()].flatMap((p) => p.keyEnvs))];
  const clientKeys = new Map(raw.auth.keys.map((key) => [key.sha256, key]));
  const routing = new Map(
    Object.entries(raw.models).map(([alias, model]): [string, AliasRouting] => [
      alias,
      { balance: model.balance, stickyTtlMs: model.sticky === undefined ? undefined : model.sticky.ttlSeconds * 1000 },
    ]),
  );
  return { raw, providers, models, version: fnv1a(JSON.stringify(raw)), keyEnvs, clientKeys, routing };
}

/** 32-bit FNV-1a as 8 hex digits: a cheap, stable config fingerprint (not a security hash). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

let cachedRaw: unknown;
let cachedText: string | undefined;
let cachedResult: ConfigResult | undefined;

/**
 * The config for this isolate. Parsing happens once: later calls with the same value (same object
 * or same JSON text) return the cached result, so no request pays for validation.
 */
export function loadConfig(value: unknown): ConfigResult {
  if (cachedResult !== undefined && value === cachedRaw) return cachedResult;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (cachedResult === undefined || text !== cachedText) {
    cachedResult = parseConfig(value);
    cachedText = text;
  }
  cachedRaw = value;
  return cachedResult;
}

/**
 * `alerts.webhookEnv` read leniently from a PROXY_CONFIG value, valid or not (an invalid config is
 * itself alerted), else its default.
 */
export function webhookEnvOf(value: unknown): string {
  let input = value;
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch {
      input = undefined;
    }
  }
  const alerts = typeof input === 'object' && input !== null ? (input as { alerts?: unknown }).alerts : undefined;
  const name = typeof alerts === 'object' && alerts !== null ? (alerts as { webhookEnv?: unknown }).webhookEnv : undefined;
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : DEFAULT_WEBHOOK_ENV;
}

/** A provider's key pool from `apiKeyEnv`: one name, a list, or none. */
function keyEnvsOf(apiKeyEnv: string | readonly string[] | undefined): readonly string[] {
  if (apiKeyEnv === undefined) return [];
  return typeof apiKeyEnv === 'string' ? [apiKeyEnv] : [...new Set(apiKeyEnv)];
}

/** The values of a provider's key pool in the Worker's env, in pool order (undefined where a secret is missing or empty). */
export function keyValues(env: object, provider: ResolvedProvider): (string | undefined)[] {
  const bag = env as Record<string, unknown>;
  return provider.keyEnvs.map((name) => {
    const value = bag[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  });
}

/** Env var names of provider keys that the config needs but the env does not hold. */
export function missingKeys(env: object, config: RuntimeConfig): string[] {
  const bag = env as Record<string, unknown>;
  return config.keyEnvs.filter((name) => typeof bag[name] !== 'string' || bag[name] === '');
}
