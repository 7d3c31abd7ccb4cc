// OpenAI usage objects read wherever vendors put them, in the proxy's terms.
import { isObject, type Json } from '../json.ts';
import type { Usage } from '../model.ts';

/**
 * Reads a usage object when it has the prompt and completion counts. Reasoning tokens a vendor
 * counts outside `completion_tokens` are folded in (see `uncountedReasoning`); cached and
 * reasoning token details are kept.
 */
export function readUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined;
  const { prompt_tokens, completion_tokens, total_tokens } = value;
  if (typeof prompt_tokens !== 'number' || typeof completion_tokens !== 'number') return undefined;
  const completion = completion_tokens + uncountedReasoning(value, prompt_tokens, completion_tokens);
  const usage: Usage = {
    prompt_tokens,
    completion_tokens: completion,
    total_tokens: typeof total_tokens === 'number' ? total_tokens : prompt_tokens + completion,
  };
  const cached = isObject(value.prompt_tokens_details) ? value.prompt_tokens_details.cached_tokens : undefined;
  if (typeof cached === 'number' && cached > 0) usage.cached_tokens = cached;
  const reasoning = isObject(value.completion_tokens_details) ? value.completion_tokens_details.reasoning_tokens : undefined;
  if (typeof reasoning === 'number' && reasoning > 0) usage.reasoning_tokens = reasoning;
  return usage;
}

/**
 * Reasoning tokens left out of `completion_tokens`. OpenAI counts them in; xAI reports them apart
 * (total = prompt + completion + reasoning), so cost would miss them. Only a gap the reasoning
 * count explains exactly is added, so vendors that already count them in are left alone.
 */
function uncountedReasoning(usage: Json, prompt: number, completion: number): number {
  const details = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const reasoning = details.reasoning_tokens;
  const total = usage.total_tokens;
  if (typeof reasoning !== 'number' || typeof total !== 'number' || reasoning <= 0) return 0;
  return total === prompt + completion + reasoning ? reasoning : 0;
}

/**
 * The usage of an answer or a chunk wherever the vendor puts it: top-level `usage` (OpenAI),
 * `x_groq.usage` (Groq's last chunk), or inside a choice (Moonshot's last chunk, `choices[0].usage`).
 */
export function usageOf(value: Json): Usage | undefined {
  const top = readUsage(value.usage);
  if (top !== undefined) return top;
  const groq = isObject(value.x_groq) ? readUsage(value.x_groq.usage) : undefined;
  if (groq !== undefined || !Array.isArray(value.choices)) return groq;
  for (const choice of value.choices) {
    const inChoice = isObject(choice) ? readUsage(choice.usage) : undefined;
    if (inChoice !== undefined) return inChoice;
  }
  return undefined;
}

/** A usage in OpenAI's wire shape, with the details OpenAI reports when known. */
export function openaiUsage(usage: Usage): Json {
  const out: Json = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
  if (usage.cached_tokens !== undefined) out.prompt_tokens_details = { cached_tokens: usage.cached_tokens };
  if (usage.reasoning_tokens !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoning_tokens };
  return out;
}
