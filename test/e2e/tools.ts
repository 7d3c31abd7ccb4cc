// The tool definition the e2e tests send: the mock answers it with a call to `lookup`.
import type { ChatCompletionTool } from 'openai/resources/chat/completions';

/** One function tool; the mock calls it with `{"query": <the last user text>}`. */
export const LOOKUP_TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Looks a word up.',
      parameters: { type: 'object', properties: { query: { type: 'string' } } },
    },
  },
];
