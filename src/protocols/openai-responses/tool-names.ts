// A Responses caller's tools at a Chat Completions or Anthropic target: the functions offered, their flat names, and the caller's tool each name stands for.
import { isObject, type Json, stringOr } from '../json.ts';
import { type ModelRequest, type ModelTool, UnsupportedRequest } from '../model.ts';
import { isUnknown, type Unknown } from '../tagged.ts';
import type { NamespacedTool, ResponsesTool, ResponsesToolChoice } from './schema.ts';

/** The longest function name Chat Completions and Anthropic vendors both take (`^[a-zA-Z0-9_-]{1,64}$`). */
const MAX_NAME = 64;

/** What a flattened function name stands for: a function or custom tool, top-level or inside a namespace. */
export interface CallerTool {
  name: string;
  namespace?: string;
  /** A custom (freeform) tool, offered to the target as a function taking `{"input": string}`. */
  custom: boolean;
}

/**
 * The function name a tool takes outside the Responses API, which has no namespaces: `<namespace>__<name>`
 * (no second separator when the namespace already ends with `__`, as Codex's MCP namespaces
 * `mcp__<server>__` do, so the model sees Codex's own flat MCP names), characters outside
 * `[a-zA-Z0-9_-]` replaced by `_`, and a name past 64 characters cut to 55 plus `_` and a hash of
 * the whole. Pure, so a history item's call and the tool it calls always get the same name.
 */
export function flatName(name: string, namespace?: string): string {
  const joined = namespace === undefined || namespace === '' ? name : namespace.endsWith('__') ? namespace + name : `${namespace}__${name}`;
  const clean = joined.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
  return clean.length <= MAX_NAME ? clean : `${clean.slice(0, MAX_NAME - 9)}_${fnv1a(joined)}`;
}

/** FNV-1a of a string's UTF-16 units, 8 hex digits: a short, stable suffix (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const keyOf = (name: string, namespace: string | undefined): string => `${namespace ?? ''}\u0000${name}`;

/**
 * The two-way map between a request's tools and the function names a target sees. Top-level tools
 * are registered first, so a valid top-level name is always kept as it is; a namespaced tool whose
 * flat name is taken gets `_2`, `_3`... A name the map does not know (a tool the request no longer
 * offers, a name the model made up) maps to itself.
 */
export class ToolNames {
  private readonly flats = new Map<string, string>();
  private readonly tools = new Map<string, CallerTool>();

  add(tool: CallerTool): void {
    const key = keyOf(tool.name, tool.namespace);
    if (this.flats.has(key)) return;
    const base = flatName(tool.name, tool.namespace);
    let flat = base;
    for (let n = 2; this.tools.has(flat); n++) flat = `${base.slice(0, MAX_NAME - `_${n}`.length)}_${n}`;
    this.flats.set(key, flat);
    this.tools.set(flat, tool);
  }

  /** The name the target sees for the caller's tool `name` (in `namespace`). */
  flat(name: string, namespace?: string | null): string {
    const ns = namespace ?? undefined;
    return this.flats.get(keyOf(name, ns)) ?? flatName(name, ns);
  }

  /** The caller's tool a name the target used stands for. */
  tool(flat: string): CallerTool {
    return this.tools.get(flat) ?? { name: flat, custom: false };
  }
}

/** The names of a Responses body's function and custom tools, top-level and in namespaces (built-in tools have none). */
export function toolNamesOf(body: Json | undefined): ToolNames {
  const names = new ToolNames();
  const tools = Array.isArray(body?.tools) ? body.tools.filter(isObject) : [];
  for (const tool of tools) {
    const name = stringOr(tool.name);
    if (name !== undefined && (tool.type === 'function' || tool.type === 'custom')) names.add({ name, custom: tool.type === 'custom' });
  }
  for (const group of tools) {
    const namespace = stringOr(group.name);
    if (group.type !== 'namespace' || namespace === undefined || !Array.isArray(group.tools)) continue;
    for (const tool of group.tools.filter(isObject)) {
      const name = stringOr(tool.name);
      if (name !== undefined && (tool.type === 'function' || tool.type === 'custom'))
        names.add({ name, namespace, custom: tool.type === 'custom' });
    }
  }
  return names;
}

/** The text a custom tool call carries: the `input` of the `{"input": string}` arguments its function form was called with, else the arguments as they are. */
export function customInput(args: string): string {
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) && typeof value.input === 'string' ? value.input : args;
  } catch {
    return args;
  }
}

/**
 * A `function_call` output item (see `outputItems`) as the caller's tools name it: the caller's
 * name plus its `namespace`, or, for a custom tool, a `custom_tool_call` item carrying the input
 * text (its id `ctc_…`). Other items, and calls of plain top-level functions, are returned as they are.
 */
export function callerCallItem(item: Json, names: ToolNames): Json {
  if (item.type !== 'function_call' || typeof item.name !== 'string') return item;
  const tool = names.tool(item.name);
  const namespace = tool.namespace === undefined ? {} : { namespace: tool.namespace };
  if (tool.custom) {
    const id = typeof item.id === 'string' ? item.id.replace(/^fc_/, 'ctc_') : item.id;
    const args = typeof item.arguments === 'string' ? item.arguments : '';
    return {
      id,
      type: 'custom_tool_call',
      status: item.status,
      call_id: item.call_id,
      name: tool.name,
      input: customInput(args),
      ...namespace,
    };
  }
  if (tool.name === item.name && tool.namespace === undefined) return item;
  return { ...item, name: tool.name, ...namespace };
}

/**
 * The caller's function and custom tools as functions the target can call, named as `names`
 * flattens them: a custom tool becomes a function taking `{"input": string}` (its grammar, if
 * any, told in the parameter's description; the call comes back as a `custom_tool_call`, see
 * `callerCallItem`). Built-in tools (web search, file search, MCP, shell ...) cannot run
 * elsewhere: they are not offered, and `dropped` names them (`tools.web_search`).
 */
export function addTools(model: ModelRequest, tools: readonly ResponsesTool[], names: ToolNames): void {
  for (const tool of tools) {
    if (isUnknown(tool, 'type')) model.dropped.push(`tools.${tool.name}`);
    else if (tool.type !== 'namespace') model.tools.push(functionOf(tool, names.flat(tool.name)));
    else {
      if (tool.description != null && tool.description !== '') model.dropped.push(`tools.${tool.name}.description`);
      for (const inner of tool.tools) {
        if (isUnknown(inner, 'type')) model.dropped.push(`tools.${tool.name}.${inner.name}`);
        else model.tools.push(functionOf(inner, names.flat(inner.name, tool.name)));
      }
    }
  }
}

function functionOf(tool: Exclude<NamespacedTool, Unknown<'type'>>, name: string): ModelTool {
  const out: ModelTool =
    tool.type === 'custom' ? { name, parameters: customParameters(tool.format) } : { name, parameters: tool.parameters ?? EMPTY_OBJECT };
  if (tool.description != null) out.description = tool.description;
  // Responses function tools are strict unless they say otherwise; only an explicit setting is carried, as other vendors refuse schemas strict mode cannot take.
  if (tool.type === 'function' && tool.strict != null) out.strict = tool.strict;
  return out;
}

const EMPTY_OBJECT: Json = { type: 'object', properties: {} };

function customParameters(format: Json | null | undefined): Json {
  const grammar = format?.type === 'grammar' ? stringOr(format.definition) : undefined;
  const description =
    grammar === undefined
      ? 'The tool input, as free text.'
      : `The tool input, as free text matching this ${stringOr(format?.syntax) ?? ''} grammar:\n${grammar}`;
  return { type: 'object', properties: { input: { type: 'string', description } }, required: ['input'], additionalProperties: false };
}

/**
 * `tool_choice`: a mode as it is, a function or custom tool by its flat name, `allowed_tools` as its
 * mode over only the tools it allows (the others are not offered). Forcing a built-in tool cannot
 * be served elsewhere: UnsupportedRequest.
 */
export function toolChoice(model: ModelRequest, choice: ResponsesToolChoice, names: ToolNames): void {
  if (typeof choice === 'string') model.toolChoice = choice;
  else if (isUnknown(choice, 'type')) throw new UnsupportedRequest(`tool_choice of type "${choice.name}" (a built-in tool)`);
  else if (choice.type !== 'allowed_tools') model.toolChoice = { name: names.flat(choice.name, choice.namespace) };
  else {
    const allowed = new Set<string>();
    for (const tool of choice.tools) {
      const name = stringOr(tool.name);
      if (name !== undefined && (tool.type === 'function' || tool.type === 'custom'))
        allowed.add(names.flat(name, stringOr(tool.namespace)));
    }
    model.tools = model.tools.filter((tool) => allowed.has(tool.name));
    if (model.tools.length === 0 && choice.mode === 'required') throw new UnsupportedRequest('tool_choice requiring only built-in tools');
    model.toolChoice = choice.mode;
  }
}
