// What a model request must pass before any upstream work: its alias, the client's allowlist, and the body limits. Pure.
import { type Client, maxTokensCap } from '../auth/client.ts';
import type { ResolvedTarget, RuntimeConfig } from '../config/load.ts';
import { badRequest, ProxyError } from '../errors.ts';
import type { CallerRequest } from '../protocols/adapter.ts';

/**
 * The targets of the request's model alias. Refused before any upstream work: an alias outside the
 * client's `models` (403), an unknown alias (404), more than `limits.maxMessages` messages, and an
 * output limit above `limits.maxTokens` or the client's own `maxTokens` (400, not clamped).
 */
export function admit(config: RuntimeConfig, client: Client, request: CallerRequest): readonly ResolvedTarget[] {
  const targets = targetsOf(config, client, request.model);
  const limits = config.raw.limits;
  if (request.messageCount > limits.maxMessages) {
    throw badRequest(`Too many messages: ${request.messageCount} (the limit is ${limits.maxMessages}).`, 'messages', 'too_many_messages');
  }
  const cap = maxTokensCap(client, limits.maxTokens);
  if (request.maxTokens !== undefined && request.maxTokens > cap) {
    throw badRequest(`max_tokens ${request.maxTokens} is above the limit of ${cap} for this client.`, 'max_tokens', 'max_tokens_too_large');
  }
  return targets;
}

/**
 * The targets of a model alias the client may use: 403 outside its allowlist, 404 when unknown.
 * Both name the aliases this client may use, so a caller who typed an upstream model name (or a
 * typo) learns what to send instead.
 */
export function targetsOf(config: RuntimeConfig, client: Client, alias: string): readonly ResolvedTarget[] {
  if (client.models !== undefined && !client.models.includes(alias)) {
    throw new ProxyError(403, 'model_not_allowed', `This client may not use the model "${shown(alias)}". ${usable(config, client)}`, {
      param: 'model',
    });
  }
  const targets = config.models.get(alias);
  if (targets === undefined) {
    throw new ProxyError(404, 'model_not_found', `The model "${shown(alias)}" does not exist on this proxy. ${usable(config, client)}`, {
      param: 'model',
    });
  }
  return targets;
}

/** The caller's own text, bounded: an alias is echoed back, never a whole body. */
function shown(alias: string): string {
  return alias.length > 100 ? `${alias.slice(0, 100)}…` : alias;
}

/** "Models this client may use: chat, fast." (at most 20 named). */
function usable(config: RuntimeConfig, client: Client): string {
  const aliases = [...config.models.keys()].filter((a) => client.models === undefined || client.models.includes(a));
  if (aliases.length === 0) return 'This client may use no model.';
  const named = aliases.slice(0, 20).map((a) => `"${a}"`);
  const more = aliases.length > 20 ? ` and ${aliases.length - 20} more` : '';
  return `Models this client may use: ${named.join(', ')}${more}.`;
}
