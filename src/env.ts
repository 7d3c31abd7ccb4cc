// The Hono environment of the app: bindings, and what middleware puts on each request's context.
import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { Client } from './auth/client.ts';
import type { RuntimeConfig } from './config/load.ts';

/** What a model request's log line needs should it fail before an answer: filled in as the request is read. */
export interface RequestInfo {
  model: string | null;
  stream: boolean;
  startedAt: number;
}

export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & TimingVariables & { config: RuntimeConfig; info: RequestInfo; client: Client };
};
