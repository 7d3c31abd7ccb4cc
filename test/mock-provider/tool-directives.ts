// Owns `MOCK_TOOL <ToolName> <JSON object>` directives: reading them from user text and picking the one a conversation is at. Pure.

/** One directive: call the tool `name` with `input`. */
export type ToolDirective = { name: string; input: Record<string, unknown> };

/** Where a conversation stands with its directives. */
export type DirectiveStep =
  /** No usable directive in the conversation: the mock behaves as without directives. */
  | { kind: 'none' }
  /** The next directive to play: `k - 1` tool results are in, this is directive `k`. */
  | { kind: 'call'; directive: ToolDirective }
  /** Every directive has had its result: the mock answers its final text. */
  | { kind: 'done' };

const marker = /MOCK_TOOL[ \t]+([^\s{]+)[ \t]*(?=\{)/g;

/** The balanced JSON object text starting at `start` (which holds `{`), minding strings and escapes. */
function objectTextAt(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth++;
    } else if (char === '}' && --depth === 0) {
      return text.slice(start, i + 1);
    }
  }
  return undefined;
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directives in `text`, in order: each `MOCK_TOOL <name> {…}`, alone on a line or inside one,
 * where `{…}` is a JSON object (it may not span lines' ends unescaped, as JSON strings cannot).
 * A directive whose JSON does not parse as an object is skipped.
 */
export function readDirectives(text: string): ToolDirective[] {
  const found: ToolDirective[] = [];
  for (const match of text.matchAll(marker)) {
    const name = match[1] ?? '';
    const input = parseObject(objectTextAt(text, match.index + match[0].length));
    if (input !== undefined) found.push({ name, input });
  }
  return found;
}

/**
 * The step a conversation is at: directives come from the user texts in order (only those naming
 * a tool in `callable`); with `results` tool results already in, directive `results + 1` is next,
 * or `done` once each directive had its result.
 */
export function directiveStep(userTexts: readonly string[], callable: readonly string[] | undefined, results: number): DirectiveStep {
  const usable = userTexts.flatMap(readDirectives).filter((directive) => callable?.includes(directive.name) === true);
  if (usable.length === 0) return { kind: 'none' };
  const next = usable[results];
  return next === undefined ? { kind: 'done' } : { kind: 'call', directive: next };
}
