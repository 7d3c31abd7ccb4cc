// Owns the Responses a mock instance keeps (`store` true): by id for `previous_response_id` and `GET`, and their output items by id. In memory.

import type { ChatRequest } from './chat-reply.ts';
import type { ResponseObject } from './responses-wire.ts';

/** One message of the internal chat shape the shared answer logic reads. */
export type ChatMessage = ChatRequest['messages'][number];

/** A stored Response and the conversation it ends, so a continuation can pick up from it. */
export type StoredResponse = {
  response: ResponseObject;
  /** Every turn up to and including this Response's output, as chat messages (instructions excluded: they are never carried over). */
  history: ChatMessage[];
  /** The `call_id` of every function call in that conversation: a later `function_call_output` may answer any of them. */
  callIds: string[];
};

/** The Responses one mock instance holds, like an OpenAI project does. */
export type ResponseStore = {
  get(id: string): StoredResponse | undefined;
  /** Keeps `entry` under its Response id and indexes its output items. */
  put(entry: StoredResponse): void;
  /** Forgets a Response and its items; false when it was not stored. */
  delete(id: string): boolean;
  /** Whether an output item with this id belongs to a stored Response (items sent back by id alone are looked up). */
  hasItem(id: string): boolean;
};

/** An empty store; each mock instance has its own, and `reset()` replaces it. */
export function createResponseStore(): ResponseStore {
  const responses = new Map<string, StoredResponse>();
  const owners = new Map<string, string>();
  return {
    get: (id) => responses.get(id),
    put(entry) {
      responses.set(entry.response.id, entry);
      for (const item of entry.response.output) owners.set(item.id, entry.response.id);
    },
    delete: (id) => responses.delete(id),
    hasItem(id) {
      const owner = owners.get(id);
      return owner !== undefined && responses.has(owner);
    },
  };
}
