// Client auth (SPEC section 3 `auth`): who the caller is, before any upstream work.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.ts';
import type { ProxyConfig } from '../config-schema.ts';
import { ProxyError } from '../errors.ts';
import { sha256Hex } from '../sha256.ts';

type ClientKey = ProxyConfig['auth']['keys'][number];

/** The caller as the pipeline sees it: its name is its cache namespace. */
export interface Client {
  name: string;
  key: ClientKey | undefined;
}

const PUBLIC: Client = { name: 'public', key: undefined };

/**
 * Identifies the client. `none`: everyone is `public`. `keys`: a key from `Authorization: Bearer`
 * or `x-api-key`, matched by its SHA-256 against `auth.keys` (keys are never stored in clear).
 * JWT modes fail closed until JWT verification exists: a `jwt` proxy refuses every request, a
 * `keys+jwt` one accepts keys only. A bad or missing credential is a 401 before any upstream work.
 */
export function withClient(): MiddlewareHandler<AppEnv> {
  return async function withClient(c, next) {
    const auth = c.get('config').raw.auth;
    if (auth.mode === 'none') {
      c.set('client', PUBLIC);
      return next();
    }
    const credential = bearer(c.req.header('authorization')) ?? c.req.header('x-api-key');
    if (credential === undefined || credential === '') {
      throw new ProxyError(401, 'missing_api_key', 'This proxy needs a client key: send it as "Authorization: Bearer <key>".');
    }
    const digest = await sha256Hex(credential);
    const key = auth.mode === 'jwt' ? undefined : auth.keys.find((k) => k.sha256 === digest);
    if (key === undefined) throw new ProxyError(401, 'invalid_api_key', 'The client key is not valid for this proxy.');
    c.set('client', { name: key.name, key });
    await next();
  };
}

/** Refuses a model alias outside the client key's `models` allowlist. */
export function checkModelAllowed(client: Client, alias: string): void {
  const allowed = client.key?.models;
  if (allowed !== undefined && !allowed.includes(alias)) {
    throw new ProxyError(403, 'model_not_allowed', `This client key may not use the model "${alias}".`, { param: 'model' });
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim();
}
