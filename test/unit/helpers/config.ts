// Resolved targets and parsed caller requests for unit tests, built through the real config and adapters.
import { parseConfig, type ResolvedTarget } from '../../../src/config/load.ts';
import type { CallerRequest, HttpFacts } from '../../../src/protocols/adapter.ts';
import { messagesCaller } from '../../../src/protocols/anthropic/caller.ts';
import { chatCaller } from '../../../src/protocols/openai-chat/caller.ts';

/** Providers of each kind the tests need, by id. */
export const PROVIDERS = {
  claude: { preset: 'anthropic', baseUrl: 'https://claude.test/v1' },
  oai: { preset: 'openai', baseUrl: 'https://oai.test/v1' },
  plain: { protocol: 'openai', baseUrl: 'https://plain.test/v1' },
  mistral: { preset: 'mistral', baseUrl: 'https://mistral.test/v1' },
  deepseek: { preset: 'deepseek' },
  ollama: { preset: 'ollama' },
} as const;

export type ProviderId = keyof typeof PROVIDERS;

/** One alias's targets, resolved from a config holding `targets` and the global `retry`. */
export function targetsOf(targets: readonly Record<string, unknown>[], retry: Record<string, unknown> = {}): ResolvedTarget[] {
  const parsed = parseConfig({ providers: PROVIDERS, models: { chat: { targets } }, retry });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.config.models.get('chat') ?? [];
}

/** A single target on `provider`, with model `upstream-model` unless `extra` says otherwise. */
export function targetOn(provider: ProviderId, extra: Record<string, unknown> = {}): ResolvedTarget {
  const [target] = targetsOf([{ provider, model: 'upstream-model', ...extra }]);
  if (target === undefined) throw new Error('no target');
  return target;
}

/** HTTP facts of a request with these headers (lower-case names) and query. */
export function httpWith(headers: Record<string, string> = {}, query = ''): HttpFacts {
  return { header: (name) => headers[name.toLowerCase()], query };
}

export const parseChat = (body: unknown, http: HttpFacts = httpWith()): CallerRequest => chatCaller.parse(body, http);
export const parseMessages = (body: unknown, http: HttpFacts = httpWith()): CallerRequest => messagesCaller.parse(body, http);
