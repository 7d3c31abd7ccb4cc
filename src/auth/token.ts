// Client tokens (`auth.mode` jwt / keys+jwt): HS256 JWTs minted by the app's backend, checked with hono/jwt.
import { verify } from 'hono/utils/jwt/jwt';
import * as z from 'zod';
import { clientPolicyFields } from '../config/schema.ts';

/** The claims a token must carry (`sub`, `exp`) and may carry (the same policy fields as a key); others are ignored. */
export const tokenClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  exp: z.number().int(),
  ...clientPolicyFields,
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

/** Why a token was refused; each maps to one 401 (see `tokenError`). */
export type TokenFailure = 'malformed' | 'wrong_algorithm' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'bad_claims';

export type TokenResult = { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure };

/** HS256 secrets shorter than this are refused (a short secret can be brute-forced offline from one token). */
export const MIN_SECRET_LENGTH = 32;

/** Three base64url parts: worth verifying as a token rather than looking up as a key. */
export function looksLikeToken(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

/**
 * Verifies signature (HS256 only: `alg` must match), `exp` and `nbf`/`iat` when present, then the
 * claims. hono/jwt's `verify`, imported from its module rather than `hono/jwt` (which also pulls the
 * middleware and JWKS fetching into the bundle). Its errors quote the token, so only their names are kept.
 */
export async function verifyToken(token: string, secret: string): Promise<TokenResult> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, 'HS256');
  } catch (err) {
    return { ok: false, reason: failureOf(err) };
  }
  return claimsOutcome(payload);
}

/** The outcome for a payload whose signature is good: `sub` and `exp` are required. */
export function claimsOutcome(payload: unknown): TokenResult {
  const claims = tokenClaimsSchema.safeParse(payload);
  return claims.success ? { ok: true, claims: claims.data } : { ok: false, reason: 'bad_claims' };
}

function failureOf(err: unknown): TokenFailure {
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'JwtTokenExpired':
      return 'expired';
    case 'JwtTokenNotBefore':
    case 'JwtTokenIssuedAt':
      return 'not_yet_valid';
    case 'JwtTokenSignatureMismatched':
      return 'bad_signature';
    case 'JwtAlgorithmMismatch':
    case 'JwtAlgorithmNotImplemented':
      return 'wrong_algorithm';
    default:
      return 'malformed';
  }
}
