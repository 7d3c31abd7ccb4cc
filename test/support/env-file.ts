// The dotenv file a `wrangler dev` gets with `--env-file`: its secrets and its PROXY_CONFIG, kept out of argv and wrangler's banner.
import { writeFileSync } from 'node:fs';

/**
 * Writes `vars` as `NAME=value` lines, then `PROXY_CONFIG='<JSON of proxyConfig>'`, to `path`; returns
 * `path`. Wrangler shows these values as "(hidden)". The JSON goes in single quotes so dotenv leaves it
 * alone, which it can only do when the JSON holds no `'`, and dotenv-expand would rewrite a `$`: such a
 * config throws rather than reach the Worker changed.
 */
export function writeEnvFile(path: string, proxyConfig: unknown, vars: Readonly<Record<string, string>> = {}): string {
  const config = JSON.stringify(proxyConfig);
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  const lines = Object.entries(vars).map(([name, value]) => `${name}=${value}\n`);
  writeFileSync(path, `${lines.join('')}PROXY_CONFIG='${config}'\n`);
  return path;
}
