// Owns the contract between the mock's front door (handler.ts) and a vendor wire: OpenAI or Anthropic.

import type { Exchange, FailureExchange } from './exchange.ts';
import type { Scenario } from './scenario.ts';

/** The scenario fields that shape an error body. */
export type ErrorScript = Pick<Scenario, 'code' | 'type' | 'message'>;

/**
 * How one vendor wire answers. The front door parses and counts the scenario, plays the
 * connection faults (`delay`, `reset`, `hang`), then asks the dialect, in this order: `admit`,
 * the scripted `status` as `failure`, `bad-json` as `truncatedBody`, and finally `answer`.
 */
export type Dialect = {
  /** The response header carrying the vendor's request id (`x-request-id`, `request-id`). */
  requestIdHeader: string;
  /** Refuses a call the vendor rejects before any work (wrong key for scenario `key=`, missing headers). */
  admit(exchange: Exchange): Response | undefined;
  /** An error answer in the vendor's shape. */
  failure(exchange: FailureExchange, status: number, script: ErrorScript): Response;
  /** The 200 body `bad-json` sends: a success body cut off mid-object. */
  truncatedBody(n: number): string;
  /** The healthy answer for `method path`, or the vendor's 404. */
  answer(exchange: Exchange, method: string, path: string): Response;
};
