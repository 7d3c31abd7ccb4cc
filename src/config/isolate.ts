// What depends only on the config and the Worker's env, derived once per isolate rather than per request.
import { type BreakerGate, breakerGate } from '../breaker/client.ts';
import type { BreakerObject } from '../breaker/object.ts';
import type { RuntimeConfig } from './load.ts';

/** The isolate's view of one config in one env. */
export interface Isolate {
  /** Values of every provider key the env holds: scrubbed from anything read upstream. */
  secrets: readonly string[];
  /** The circuit breakers; undefined when the Worker has no BREAKER binding. */
  breakers: BreakerGate | undefined;
}

interface BreakerEnv {
  BREAKER?: DurableObjectNamespace<BreakerObject>;
}

// The env object is the same for every request of an isolate; a new config (or env) derives anew.
const derived = new WeakMap<object, { config: RuntimeConfig; isolate: Isolate }>();

/** The isolate's derived state for `config` in `env`, built on first use. */
export function isolateOf(config: RuntimeConfig, env: object): Isolate {
  const held = derived.get(env);
  if (held !== undefined && held.config === config) return held.isolate;
  const bag = env as Record<string, unknown> & BreakerEnv;
  const secrets = config.keyEnvs.flatMap((name) => (typeof bag[name] === 'string' && bag[name] !== '' ? [bag[name] as string] : []));
  const isolate: Isolate = { secrets, breakers: bag.BREAKER === undefined ? undefined : breakerGate(bag.BREAKER, config.raw.breaker) };
  derived.set(env, { config, isolate });
  return isolate;
}
