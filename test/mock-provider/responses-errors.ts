// Owns the Responses API's request errors in OpenAI's wording: what a bad body, a dangling call id or a forged reasoning item is answered with. Pure.

/** Marks a refusal, so no field of an echoed request body can be mistaken for one. */
const refused: unique symbol = Symbol('refused');

/** A refused request: the HTTP status and OpenAI's `error` fields (`type` is always `invalid_request_error`). */
export type RequestProblem = { [refused]: true; status: number; message: string; param: string | null; code: string | null };

/** Whether a check returned a refusal rather than its result. */
export function isProblem(value: object): value is RequestProblem {
  return refused in value;
}

function problem(status: number, message: string, param: string | null, code: string | null): RequestProblem {
  return { [refused]: true, status, message, param, code };
}

/** The JSON type of a value as OpenAI names it in messages: `a string`, `an integer`, `an object`, … */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

/** `Missing required parameter: '<param>'.` */
export function missing(param: string): RequestProblem {
  return problem(400, `Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

/** `Invalid type for '<param>': expected <expected>, but got <type> instead.` */
export function invalidType(param: string, expected: string, value: unknown): RequestProblem {
  const message = `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`;
  return problem(400, message, param, 'invalid_type');
}

/** `Invalid value: '<value>'. Supported values are: 'a', 'b', and 'c'.` */
export function invalidValue(param: string, value: unknown, supported: readonly string[]): RequestProblem {
  const quoted = supported.map((name) => `'${name}'`);
  const list = quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return problem(400, `Invalid value: '${String(value)}'. Supported values are: ${list}.`, param, 'invalid_value');
}

/** `max_output_tokens` under OpenAI's floor of 16. */
export function belowMinimum(param: string, minimum: number, value: number): RequestProblem {
  const message = `Invalid '${param}': integer below minimum value. Expected a value >= ${minimum}, but got ${value} instead.`;
  return problem(400, message, param, 'integer_below_min_value');
}

/** A `previous_response_id` the vendor does not hold (never stored, `store: false`, deleted, or another vendor's). */
export function previousNotFound(id: string): RequestProblem {
  return problem(400, `Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
}

/** A `function_call_output` whose `call_id` answers no `function_call` of the conversation. */
export function noToolCall(callId: string): RequestProblem {
  return problem(400, `No tool call found for function call output with call_id ${callId}.`, 'input', null);
}

/** A reasoning item whose `encrypted_content` this vendor did not issue (OpenAI shows it abbreviated). */
export function unverifiedContent(encrypted: string): RequestProblem {
  const shown = encrypted.length > 8 ? `${encrypted.slice(0, 4)}...${encrypted.slice(-4)}` : encrypted;
  return problem(400, `The encrypted content ${shown} could not be verified.`, null, 'invalid_encrypted_content');
}

/** An item sent back by id alone (no encrypted content) that this vendor never stored: OpenAI answers 404. */
export function itemNotFound(id: string): RequestProblem {
  const message = `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`;
  return problem(404, message, 'input', null);
}
