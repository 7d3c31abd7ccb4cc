// Degraded replies: the rule-based answer given when every target failed and no stale entry exists.
import type { ProxyConfig } from '../config/schema.ts';

type DegradedConfig = ProxyConfig['degraded'];

/** A compiled rule: a predicate over the last user message, as written and lower-cased. */
interface CompiledRule {
  test: (text: string, lowered: string) => boolean;
  reply: string;
}

const compiled = new WeakMap<DegradedConfig, CompiledRule[]>();

/** Compiles the rules once per config: substrings lower-cased, regexes with the `iu` flags. */
function rulesOf(config: DegradedConfig): CompiledRule[] {
  let rules = compiled.get(config);
  if (rules === undefined) {
    rules = config.rules.map((rule) => {
      if (rule.regex) {
        const patterns = rule.match.map((m) => new RegExp(m, 'iu'));
        return { test: (text: string) => patterns.some((p) => p.test(text)), reply: rule.reply };
      }
      const needles = rule.match.map((m) => m.toLocaleLowerCase());
      return { test: (_text: string, lowered: string) => needles.some((n) => lowered.includes(n)), reply: rule.reply };
    });
    compiled.set(config, rules);
  }
  return rules;
}

/**
 * The degraded reply text for a conversation: the first rule matching the last user message
 * (case-insensitive substring, or regex), else `defaultReply`; followed by `notice`. Pure.
 */
export function degradedReply(config: DegradedConfig, lastUserText: string): string {
  const lowered = lastUserText.toLocaleLowerCase();
  const rule = rulesOf(config).find((r) => r.test(lastUserText, lowered));
  const reply = rule?.reply ?? config.defaultReply;
  return config.notice ? `${reply}\n\n${config.notice}` : reply;
}
