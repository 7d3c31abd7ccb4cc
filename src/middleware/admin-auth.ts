// Admin auth (SPEC section 2): `Authorization: Bearer <PROXY_ADMIN_TOKEN>` for /admin and, unless `status.public`, /status.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ProxyError } from '../errors.ts';

export interface AdminAuthOptions {
  /** Let everyone in when config `status.public` is true (the status routes). */
  publicWhenStatusPublic?: boolean;
  /**
   * Also take the token as the password of HTTP Basic auth, and ask for it with a Basic challenge,
   * so a person can open the page in a browser (which resends it on every refresh) without the
   * token ever going into a URL. Only for read-only GET pages: a browser sends Basic credentials on
   * its own, so accepting them on a state-changing route would allow cross-site request forgery.
   */
  basicForBrowsers?: boolean;
}

/**
 * Refuses non-admins: 403 when the Worker has no PROXY_ADMIN_TOKEN (admin routes are off until one
 * is set), 401 for a missing or wrong token. Needs the config on the context (withConfig first).
 */
export function adminAuth({ publicWhenStatusPublic = false, basicForBrowsers = false }: AdminAuthOptions = {}): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    if (publicWhenStatusPublic && c.get('config').raw.status.public) return next();
    const expected = adminToken(c.env);
    if (expected === undefined) {
      throw new ProxyError(
        403,
        'admin_not_configured',
        'Admin routes are disabled: this proxy has no PROXY_ADMIN_TOKEN. Set it with `wrangler secret put PROXY_ADMIN_TOKEN` on a deployed Worker, or as a line `PROXY_ADMIN_TOKEN=...` in `.dev.vars` for `wrangler dev` (then restart it).',
      );
    }
    const given = credential(c.req.header('authorization'), basicForBrowsers);
    if (given === undefined || !(await sameSecret(given, expected))) {
      const challenge = basicForBrowsers ? 'Basic realm="edge-llm-proxy status", charset="UTF-8"' : 'Bearer';
      const message =
        given === undefined
          ? 'This route needs the admin token: "Authorization: Bearer <PROXY_ADMIN_TOKEN>".'
          : 'The admin token is not valid.';
      throw new ProxyError(401, given === undefined ? 'missing_admin_token' : 'invalid_admin_token', message, {
        headers: { 'www-authenticate': challenge },
      });
    }
    await next();
  };
}

/**
 * Whether the request carries the admin token (Bearer, or the Basic password when `allowBasic`):
 * on a public status page, only the admin sees the per-client spend.
 */
export async function carriesAdminToken(env: object, authorization: string | undefined, allowBasic: boolean): Promise<boolean> {
  const expected = adminToken(env);
  const given = credential(authorization, allowBasic);
  return expected !== undefined && given !== undefined && (await sameSecret(given, expected));
}

/** PROXY_ADMIN_TOKEN is a secret, so it is not in the generated `Env`. Empty counts as unset. */
function adminToken(env: object): string | undefined {
  const value = (env as Record<string, unknown>).PROXY_ADMIN_TOKEN;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function credential(header: string | undefined, allowBasic: boolean): string | undefined {
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header ?? '');
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2];
  if (value === undefined) return undefined;
  if (scheme === 'bearer') return value;
  if (!allowBasic) return undefined;
  try {
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  } catch {
    return undefined;
  }
}

/** Compares SHA-256 digests of both, so the time taken says nothing about the token's length or prefix. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
