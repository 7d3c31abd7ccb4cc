// Stored Responses turns, as the tests of the store and of its routes write them.
import type { Json } from '../../src/protocols/json.ts';
import type { StoredRecord } from '../../src/responses/store-object.ts';

/** A user message item. */
export const user = (text: string): Json => ({ role: 'user', content: text });

/** An assistant message item with its text. */
export const said = (id: string, text: string): Json => ({
  id,
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text, annotations: [] }],
});

/** A stored turn: `input` asked, `output` answered, continuing `previousId`; `fields` adds to its Response. */
export function storedTurn(id: string, input: Json[], output: Json[], previousId: string | null = null, fields: Json = {}): StoredRecord {
  return { id, previousId, createdAt: 1_700_000_000, response: { id, object: 'response', status: 'completed', output, ...fields }, input };
}
