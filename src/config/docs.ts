// Renders docs/configuration.md from the JSON Schema of PROXY_CONFIG: every key, type, default, meaning and example. Pure.

/** The parts of a JSON Schema node this renderer reads (zod's `toJSONSchema` output). */
export interface SchemaNode {
  type?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  format?: string;
  pattern?: string;
  /** Custom: the name shown for a record's keys (`<provider id>`). */
  keyName?: string;
  /** Custom: the keys are those of another section (a target's `retry`). */
  seeAlso?: string;
}

/** One table of the reference: the keys of one object, at a path such as `models.<alias>.targets[]`. */
interface Section {
  path: string;
  node: SchemaNode;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function isObjectNode(node: SchemaNode): boolean {
  return node.properties !== undefined;
}

function recordValue(node: SchemaNode): SchemaNode | undefined {
  const value = node.additionalProperties;
  return typeof value === 'object' && isObjectNode(value) ? value : undefined;
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The type of a node in words: `integer ≥ 0`, `"openai" \| "anthropic"`, `array of strings` ... */
export function typeOf(node: SchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => code(v)).join(' or ');
  if (node.seeAlso !== undefined) return `object (keys of \`${node.seeAlso}\`)`;
  switch (node.type) {
    case 'integer':
    case 'number': {
      const max = node.maximum !== undefined && node.maximum < MAX_SAFE ? node.maximum : undefined;
      if (node.minimum !== undefined && max !== undefined) return `${node.type} from ${node.minimum} to ${max}`;
      const bounds: string[] = [];
      if (node.minimum !== undefined) bounds.push(`≥ ${node.minimum}`);
      if (node.exclusiveMinimum !== undefined) bounds.push(`> ${node.exclusiveMinimum}`);
      if (max !== undefined) bounds.push(`≤ ${max}`);
      return bounds.length === 0 ? node.type : `${node.type} ${bounds.join(', ')}`;
    }
    case 'string':
      if (node.format === 'uri') return 'URL (http or https)';
      if (node.pattern === '^[A-Za-z_][A-Za-z0-9_]*$') return 'env var name';
      return node.minLength !== undefined && node.minLength > 0 ? 'string (not empty)' : 'string';
    case 'array': {
      const items = node.items;
      const of = items === undefined ? 'values' : isObjectNode(items) ? 'objects (see below)' : plural(items);
      return node.minItems ? `array of ${of}, at least ${node.minItems}` : `array of ${of}`;
    }
    case 'object': {
      if (isObjectNode(node)) return 'object (see below)';
      const value = node.additionalProperties;
      if (typeof value === 'object')
        return recordValue(node) ? `object: \`${node.keyName ?? '<name>'}\` → object (see below)` : `object of ${plural(value)}`;
      return 'object';
    }
    default:
      return node.type ?? 'any';
  }
}

/** The items of an array, in the plural: `strings`, `non-empty strings`, `integers` ... */
function plural(items: SchemaNode): string {
  if (items.type === 'string') return items.minLength ? 'non-empty strings' : 'strings';
  if (items.type === 'integer' || items.type === 'number') return `${items.type}s`;
  return `${typeOf(items)} values`;
}

function defaultOf(name: string, parent: SchemaNode, node: SchemaNode): string {
  if (node.default !== undefined) {
    if (
      typeof node.default === 'object' &&
      node.default !== null &&
      Object.keys(node.default).length === 0 &&
      !Array.isArray(node.default)
    ) {
      return 'each key its default';
    }
    return code(node.default);
  }
  return parent.required?.includes(name) ? '**required**' : '—';
}

function meaning(node: SchemaNode): string {
  const text = node.description ?? '';
  const examples = (node.examples ?? []).map((e) => code(e));
  return examples.length === 0 ? text : `${text} Example: ${examples.join(', ')}.`;
}

/** Every object section under `root`, in document order, and the keys that have no description. */
export function sectionsOf(root: SchemaNode): { sections: Section[]; missing: string[] } {
  const sections: Section[] = [];
  const missing: string[] = [];
  const visit = (path: string, node: SchemaNode): void => {
    sections.push({ path, node });
    const nested: [string, SchemaNode][] = [];
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const at = path === '' ? name : `${path}.${name}`;
      if (child.description === undefined || child.description.trim() === '') missing.push(at);
      if (child.seeAlso !== undefined) continue;
      if (isObjectNode(child)) nested.push([at, child]);
      const value = recordValue(child);
      if (value !== undefined) nested.push([`${at}.${child.keyName ?? '<name>'}`, value]);
      if (child.items !== undefined && isObjectNode(child.items)) nested.push([`${at}[]`, child.items]);
    }
    for (const [at, child] of nested) visit(at, child);
  };
  visit('', root);
  return { sections, missing };
}

/** The markdown table of one section. */
function table(section: Section): string {
  const rows = Object.entries(section.node.properties ?? {}).map(
    ([name, child]) => `| \`${name}\` | ${cell(typeOf(child))} | ${cell(defaultOf(name, section.node, child))} | ${cell(meaning(child))} |`,
  );
  const title = section.path === '' ? 'Top level' : `\`${section.path}\``;
  const intro = section.node.description === undefined || section.path === '' ? '' : `${section.node.description}\n\n`;
  return `### ${title}\n\n${intro}| key | type | default | meaning |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`;
}

/**
 * The whole reference: `head` (hand-written: where the config lives, an example), then one table
 * per object of the schema. Throws listing every key without a description, so the generated
 * file can never silently lack one.
 */
export function renderConfigDocs(root: SchemaNode, head: string): string {
  const { sections, missing } = sectionsOf(root);
  if (missing.length > 0)
    throw new Error(`config keys without a description (add .meta({ description }) in src/config/schema*.ts): ${missing.join(', ')}`);
  return `${head.trimEnd()}\n\n## Every key\n\n${sections.map(table).join('\n')}`;
}
