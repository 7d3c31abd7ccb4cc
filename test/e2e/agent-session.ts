// A Claude Code-shaped agent session for the SDK: its system, tools, betas and thinking, a scripted tool loop, and the loop itself.
import type Anthropic from '@anthropic-ai/sdk';
import type {
  BetaContentBlockParam,
  BetaMessage,
  BetaMessageParam,
  BetaTextBlockParam,
  BetaThinkingConfigParam,
  BetaToolUnion,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/beta/messages';

/** Several betas, as Claude Code lists them in one `anthropic-beta` header. */
export const BETAS = [
  'claude-code-20250219',
  'interleaved-thinking-2025-05-14',
  'context-management-2025-06-27',
  'advanced-tool-use-2025-11-20',
  'effort-2025-11-24',
];

/** Budgeted thinking shown as text, and Claude Code's adaptive thinking with the reasoning omitted (signature only). */
export const THINKING = {
  enabled: { type: 'enabled', budget_tokens: 2048 },
  adaptive: { type: 'adaptive', display: 'omitted' },
} as const satisfies Record<string, BetaThinkingConfigParam>;

const EPHEMERAL = { type: 'ephemeral' } as const;
const WORK = '/srv/agent-e2e';

/** The tool calls the mock is scripted to make (MOCK_TOOL directives), in order, and what each tool answers. */
export const STEPS = [
  { name: 'Write', input: { file_path: `${WORK}/notes.txt`, content: 'hi' }, result: `File created successfully at: ${WORK}/notes.txt` },
  { name: 'Read', input: { file_path: `${WORK}/notes.txt` }, result: '1\thi' },
  { name: 'Bash', input: { command: `wc -l ${WORK}/notes.txt` }, result: `1 ${WORK}/notes.txt` },
] as const;

/** The mock's last answer: it repeats the last tool result. */
export const FINAL_TEXT = `Tool said: ${STEPS[STEPS.length - 1]?.result}`;

/** The document of the first user turn; with citations on, the mock cites its first sentence. */
export const DOCUMENT = { title: 'Agent notes', text: 'The notes file holds one line. It is written first.' };

/** System blocks as Claude Code sends them: a billing line without cache_control, then two cached blocks. */
const SYSTEM: BetaTextBlockParam[] = [
  { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332.e2e; cc_entrypoint=sdk-cli;' },
  { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK.", cache_control: EPHEMERAL },
  { type: 'text', text: 'You are an agent working with the user toward their goals. Use the tools to act.', cache_control: EPHEMERAL },
];

const schema = (...fields: string[]) => ({
  type: 'object' as const,
  properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])),
  required: fields,
});

/** Custom tools, the last callable one cache-controlled, and a deferred placeholder (`defer_loading`). */
const TOOLS: BetaToolUnion[] = [
  { name: 'Write', description: 'Writes a file to the local filesystem.', input_schema: schema('file_path', 'content') },
  { name: 'Read', description: 'Reads a file from the local filesystem.', input_schema: schema('file_path') },
  { name: 'Bash', description: 'Runs a bash command.', input_schema: schema('command'), cache_control: EPHEMERAL },
  { name: 'DeferredToolPlaceholder', description: 'Never call this tool.', input_schema: schema(), defer_loading: true },
];

const TASK = [
  'Create notes.txt, read it back, then count its lines.',
  ...STEPS.map((step) => `MOCK_TOOL ${step.name} ${JSON.stringify(step.input)}`),
].join('\n');

/** The opening turns: the task with a document, then a mid-conversation system message, as Claude Code sends them. */
function opening(): BetaMessageParam[] {
  return [
    {
      role: 'user',
      content: [
        {
          type: 'document',
          source: { type: 'text', media_type: 'text/plain', data: DOCUMENT.text },
          title: DOCUMENT.title,
          citations: { enabled: true },
        },
        { type: 'text', text: TASK },
      ],
    },
    { role: 'system', content: [{ type: 'text', text: '# Environment\nPrimary working directory: /srv/agent-e2e\nPlatform: linux' }] },
  ];
}

/** The history with `cache_control` on the last block of the last message only, as Claude Code moves it each turn. */
function withCacheOnLast(history: readonly BetaMessageParam[]): BetaMessageParam[] {
  const messages = structuredClone(history) as BetaMessageParam[];
  const last = messages.at(-1);
  const blocks = last?.content;
  const block = Array.isArray(blocks) ? blocks.at(-1) : undefined;
  if (block !== undefined && 'type' in block && block.type !== 'thinking' && block.type !== 'redacted_thinking') {
    Object.assign(block, { cache_control: EPHEMERAL });
  }
  return messages;
}

export interface SessionOptions {
  model: string;
  thinking: BetaThinkingConfigParam;
  stream: boolean;
}

/** One turn's request: every field Claude Code sends (metadata, context_management, output_config) and the betas. */
function request(options: SessionOptions, history: readonly BetaMessageParam[]): MessageCreateParamsNonStreaming {
  return {
    model: options.model,
    messages: withCacheOnLast(history),
    system: SYSTEM,
    tools: TOOLS,
    metadata: { user_id: JSON.stringify({ device_id: 'e2e-device', account_uuid: '', session_id: 'e2e-session' }) },
    max_tokens: 4096,
    thinking: options.thinking,
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    output_config: { effort: 'medium' },
    betas: BETAS,
  };
}

/**
 * `?beta=true`, as Claude Code's bundled SDK puts it on every beta call. @anthropic-ai/sdk 1.x marks
 * beta calls in request options (`__qualifiers`) instead of the URL, so the session adds it itself.
 */
const BETA_QUERY = { query: { beta: 'true' } };

/** What the scripted tool answers for a call. */
function resultOf(name: string): string {
  const step = STEPS.find((s) => s.name === name);
  if (step === undefined) throw new Error(`the mock called an unscripted tool ${name}`);
  return step.result;
}

/**
 * Runs the tool loop through `client.beta.messages` (`anthropic-beta`) with `?beta=true`: each
 * assistant turn goes back exactly as the SDK returned it, thinking and signatures included, with
 * the tool results after it. Stops at the first answer that asks for no tool, or after one turn
 * more than STEPS; returns every answer.
 */
export async function runSession(client: Anthropic, options: SessionOptions): Promise<BetaMessage[]> {
  const history = opening();
  const answers: BetaMessage[] = [];
  for (let turn = 0; turn <= STEPS.length; turn++) {
    const params = request(options, history);
    const message = options.stream
      ? await client.beta.messages.stream(params, BETA_QUERY).finalMessage()
      : await client.beta.messages.create(params, BETA_QUERY);
    answers.push(message);
    if (message.stop_reason !== 'tool_use') break;
    const results: BetaContentBlockParam[] = message.content.flatMap((block) =>
      block.type === 'tool_use' ? [{ type: 'tool_result' as const, tool_use_id: block.id, content: resultOf(block.name) }] : [],
    );
    history.push({ role: 'assistant', content: message.content }, { role: 'user', content: results });
  }
  return answers;
}
