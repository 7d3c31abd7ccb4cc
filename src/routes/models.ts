// GET /v1/models: one entry per configured model alias, with its targets and their pricing.
import { Hono } from 'hono';
import type { RuntimeConfig } from '../config/load.ts';
import type { AppEnv } from '../env.ts';

const listings = new WeakMap<RuntimeConfig, string>();

/** The OpenAI list shape, built once per config. */
function listing(config: RuntimeConfig): string {
  let text = listings.get(config);
  if (text === undefined) {
    const created = Math.floor(Date.now() / 1000);
    const data = [...config.models].map(([alias, targets]) => ({
      id: alias,
      object: 'model',
      created,
      owned_by: 'edge-llm-proxy',
      targets: targets.map((t) => ({ provider: t.provider.id, model: t.model, pricing: t.pricing ?? null })),
    }));
    text = JSON.stringify({ object: 'list', data });
    listings.set(config, text);
  }
  return text;
}

export function modelRoutes(): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/models', (c) => c.body(listing(c.get('config')), 200, { 'content-type': 'application/json' }));
}
