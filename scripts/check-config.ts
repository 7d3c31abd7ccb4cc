// `npm run check-config`: validates PROXY_CONFIG offline and prints what the proxy will do with it.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { missingKeys, parseConfig } from '../src/config/load.ts';

/** Where the config comes from, in the order wrangler would let one override another. */
function findConfig(args: string[]): { source: string; value: unknown } {
  const fileFlag = args.indexOf('--file');
  if (fileFlag >= 0) {
    const path = args[fileFlag + 1];
    if (path === undefined) fail('--file needs a path: npm run check-config -- --file config.json');
    return { source: path, value: readText(path) };
  }
  if (process.env.PROXY_CONFIG) return { source: 'the PROXY_CONFIG environment variable', value: process.env.PROXY_CONFIG };
  const devVars = readDevVars();
  if (devVars.PROXY_CONFIG !== undefined) return { source: '.dev.vars', value: devVars.PROXY_CONFIG };
  let toml: { vars?: Record<string, unknown> };
  try {
    toml = parseToml(readText('wrangler.toml')) as { vars?: Record<string, unknown> };
  } catch (err) {
    fail(`wrangler.toml is not valid TOML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return { source: 'wrangler.toml [vars]', value: toml.vars?.PROXY_CONFIG };
}

/** Prints one line to stderr and exits 1: a user's mistake is not a crash with a stack trace. */
function fail(message: string): never {
  console.error(`check-config: ${message}`);
  process.exit(1);
}

/** A file's text, or a one-line error naming it (missing, a directory, unreadable). */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code ?? err);
    fail(`cannot read ${path}: ${why}`);
  }
}

/** KEY=value lines of .dev.vars (the local secrets file), when it exists. */
function readDevVars(): Record<string, string> {
  if (!existsSync('.dev.vars')) return {};
  const vars: Record<string, string> = {};
  for (const line of readText('.dev.vars').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    vars[match[1]] = match[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

const { source, value } = findConfig(process.argv.slice(2));
const result = parseConfig(value);
if (!result.ok) {
  console.error(`PROXY_CONFIG from ${source} is invalid:`);
  for (const issue of result.issues) console.error(`  - ${issue}`);
  process.exit(1);
}
const config = result.config;
console.log(`PROXY_CONFIG from ${source} is valid (version ${config.version}).`);
for (const [alias, targets] of config.models) {
  const chain = targets.map((t) => `${t.provider.id}:${t.model}${t.provider.protocol === 'anthropic' ? ' (anthropic)' : ''}`);
  console.log(`  model "${alias}": ${chain.join(' -> ')}`);
}
const missing = missingKeys({ ...readDevVars(), ...process.env }, config);
if (missing.length > 0) {
  console.log(`  keys not set locally (targets needing them are skipped): ${missing.join(', ')}`);
  console.log('  set them with `wrangler secret put NAME` for deploys, or in .dev.vars for `npm start`.');
}
const webhookEnv = config.raw.alerts.webhookEnv;
const local: Record<string, string | undefined> = { ...readDevVars(), ...process.env };
console.log(`  alerts: POSTed to the URL in ${webhookEnv}${local[webhookEnv] ? '' : ' (not set locally: no alerts)'}`);
