// The agent-session aliases of the first proxy: Anthropic-protocol mock targets reached through the vendor tap (vendor-tap.ts).
import { MOCK_KEY } from './config.ts';

/** Aliases, each with one Anthropic-protocol target. */
export const AGENT = {
  /** Signed thinking (when asked for), tool calls and text. */
  plain: 'agent',
  /** The same, plus a `redacted_thinking` block first in every answer and a citation on the text (mock `redacted-thinking,citations`). */
  blocks: 'agent-blocks',
} as const;

/** The upstream model every agent alias asks for. */
export const AGENT_MODEL = 'claude-agent-mock';

type Json = Record<string, unknown>;

/** Adds the agent providers and aliases to a PROXY_CONFIG built by `buildProxyConfig`; `vendorTapUrl` is the hop's origin. */
export function withAgentAliases(config: Json, vendorTapUrl: string): Json {
  const providers = config.providers as Json;
  const models = config.models as Json;
  const scenarios: Record<string, string> = { [AGENT.plain]: '', [AGENT.blocks]: 'redacted-thinking,citations,' };
  for (const [alias, scenario] of Object.entries(scenarios)) {
    const id = `${alias}-vendor`;
    providers[id] = { protocol: 'anthropic', baseUrl: `${vendorTapUrl}/${scenario}key=${MOCK_KEY},id=${id}/v1`, apiKeyEnv: 'MOCK_KEY' };
    models[alias] = { targets: [{ provider: id, model: AGENT_MODEL }] };
  }
  return config;
}
