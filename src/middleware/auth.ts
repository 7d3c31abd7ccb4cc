// Client auth (SPEC section 3 `auth`): who the caller is and whether its Origin may use it, before any upstream work.
import type { Context } from 'hono';
import { type Client, keyClient, PUBLIC_CLIENT, tokenClient } from '../auth/client.ts';
import { originVerdict } from '../auth/origin.ts';
import { looksLikeToken, MIN_SECRET_LENGTH, type TokenFailure, verifyToken } from '../auth/token.ts';
import type { RuntimeConfig } from '../config/load.ts';
import type { ClientKey, ProxyConfig } from '../config/schema.ts';
import type { AppEnv } from '../env.ts';
import { ProxyError } from '../errors.ts';
import { sha256Hex } from '../sha256.ts';

export type { Client } from '../auth/client.ts';

type AuthConfig = ProxyConfig['auth'];

/**
 * Identifies the client. `none`: everyone is `public`. `keys`: a key from `Authorization: Bearer`
 * or `x-api-key`, matched by its SHA-256 against `auth.keys` (keys are never stored in clear).
 * `jwt`: an HS256 token from the same headers, verified with the secret named by
 * `auth.jwtSecretEnv`. `keys+jwt`: a known key, else a token. A missing or bad credential is a 401,
 * before any upstream work.
 */
export function clientOf(c: Context<AppEnv>, config: RuntimeConfig): Client | Promise<Client> {
  const raw = config.raw;
  return raw.auth.mode === 'none' ? PUBLIC_CLIENT : identify(c, raw.auth, config.clientKeys);
}

/** A 403 when the client may not be used from the request's Origin (or needs one and has none). */
export function checkOrigin(c: Context<AppEnv>, client: Client, config: RuntimeConfig): void {
  const verdict = originVerdict(c.req.header('origin'), client.origins ?? config.raw.cors.origins, client.requireOrigin);
  if (verdict.ok) return;
  const message =
    verdict.code === 'origin_required'
      ? 'This client key may only be used from a web page (the request has no Origin header).'
      : 'This client may not be used from the web page origin that sent the request.';
  throw new ProxyError(403, verdict.code, message);
}

async function identify(c: Context<AppEnv>, auth: AuthConfig, keys: ReadonlyMap<string, ClientKey>): Promise<Client> {
  const credential = bearer(c.req.header('authorization')) ?? c.req.header('x-api-key');
  if (credential === undefined || credential === '') {
    const what = auth.mode === 'jwt' ? 'a client token' : 'a client key';
    throw new ProxyError(401, 'missing_api_key', `This proxy needs ${what}: send it as "Authorization: Bearer <credential>".`);
  }
  if (auth.mode !== 'jwt') {
    const digest = await sha256Hex(credential);
    const key = keys.get(digest);
    if (key !== undefined) return keyClient(key);
  }
  if (auth.mode !== 'keys' && looksLikeToken(credential)) {
    const result = await verifyToken(credential, jwtSecret(c.env, auth.jwtSecretEnv));
    if (!result.ok) throw tokenError(result.reason);
    return tokenClient(result.claims);
  }
  const what = auth.mode === 'jwt' ? 'client token' : 'client key';
  throw new ProxyError(401, 'invalid_api_key', `The ${what} is not valid for this proxy.`);
}

/** The 401 for a refused token. The message names the reason, never the token. */
export function tokenError(reason: TokenFailure): ProxyError {
  switch (reason) {
    case 'expired':
      return new ProxyError(401, 'token_expired', 'The client token has expired; get a new one from the app.');
    case 'not_yet_valid':
      return new ProxyError(401, 'invalid_token', 'The client token is not valid yet (nbf or iat is in the future).');
    case 'bad_claims':
      return new ProxyError(
        401,
        'invalid_token',
        'The client token needs a "sub" and an "exp" claim, and its other claims must be well-formed.',
      );
    case 'wrong_algorithm':
      return new ProxyError(401, 'invalid_token', 'The client token must be signed with HS256.');
    case 'bad_signature':
    case 'malformed':
      return new ProxyError(401, 'invalid_token', 'The client token is not valid for this proxy.');
  }
}

/** The HS256 secret; a missing or short one fails closed with a 500 naming the setting (never the value). */
function jwtSecret(env: object, name: string): string {
  const value = (env as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
    const problem = typeof value !== 'string' || value === '' ? 'is not set' : `is shorter than ${MIN_SECRET_LENGTH} characters`;
    throw new ProxyError(
      500,
      'jwt_secret_invalid',
      `auth.jwtSecretEnv: the secret ${name} ${problem} (set it with \`wrangler secret put ${name}\`).`,
      {
        type: 'api_error',
      },
    );
  }
  return value;
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim();
}
