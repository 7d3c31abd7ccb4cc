// The requests the real Claude Code CLI sent (test/fixtures/claude-code), parsed: path, query, headers and body.
import adaptive1 from '../../fixtures/claude-code/adaptive-thinking.01.messages.json?raw';
import adaptive2 from '../../fixtures/claude-code/adaptive-thinking.02.messages.json?raw';
import budget1 from '../../fixtures/claude-code/budget-thinking.01.messages.json?raw';
import budget2 from '../../fixtures/claude-code/budget-thinking.02.messages.json?raw';
import context01 from '../../fixtures/claude-code/context.01.count_tokens.json?raw';
import context03 from '../../fixtures/claude-code/context.03.count_tokens.json?raw';
import context05 from '../../fixtures/claude-code/context.05.count_tokens.json?raw';
import context14 from '../../fixtures/claude-code/context.14.count_tokens.json?raw';
import none1 from '../../fixtures/claude-code/no-thinking.01.messages.json?raw';
import none2 from '../../fixtures/claude-code/no-thinking.02.messages.json?raw';
import redacted1 from '../../fixtures/claude-code/two-steps-redacted.01.messages.json?raw';
import redacted2 from '../../fixtures/claude-code/two-steps-redacted.02.messages.json?raw';
import redacted3 from '../../fixtures/claude-code/two-steps-redacted.03.messages.json?raw';

/** One recorded request. */
export interface Recorded {
  name: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const read = (name: string, text: string): Recorded => ({ name, ...(JSON.parse(text) as Omit<Recorded, 'name'>) });

/** Every `POST /v1/messages` request of the probes, in the order sent. */
export const CLAUDE_CODE_MESSAGES: readonly Recorded[] = [
  read('adaptive-thinking.01', adaptive1),
  read('adaptive-thinking.02', adaptive2),
  read('budget-thinking.01', budget1),
  read('budget-thinking.02', budget2),
  read('no-thinking.01', none1),
  read('no-thinking.02', none2),
  read('two-steps-redacted.01', redacted1),
  read('two-steps-redacted.02', redacted2),
  read('two-steps-redacted.03', redacted3),
];

/** A few `POST /v1/messages/count_tokens` requests: no tools, all tools, one tool. */
export const CLAUDE_CODE_COUNTS: readonly Recorded[] = [
  read('context.01', context01),
  read('context.05', context05),
  read('context.03', context03),
  read('context.14', context14),
];
