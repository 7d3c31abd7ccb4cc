// `npm run check-config`: validates PROXY_CONFIG offline and prints what the proxy will do with it.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { missingKeys, parseConfig } from '../src/config/load.ts';

/** Where the config comes from, in the order wrangler would let one override another. */
function findConfig(args: string[]): { source: string; value: unknown } {
  const fileFlag = args.indexOf('--file');
  if (fileFlag >= 0) {
    const path = args[fileFlag + 1];
    if (path === undefined) throw new Error('--file needs a path');
    return { source: path, value: readFileSync(path, 'utf8') };
  }
  if (process.env.PROXY_CONFIG) return { source: 'the PROXY_CONFIG environment variable', value: process.env.PROXY_CONFIG };
  const devVars = readDevVars();
  if (devVars.PROXY_CONFIG !== undefined) return { source: '.dev.vars', value: devVars.PROXY_CONFIG };
  const toml = parseToml(readFileSync('wrangler.toml', 'utf8')) as { vars?: Record<string, unknown> };
  return { source: 'wrangler.toml [vars]', value: toml.vars?.PROXY_CONFIG };
}

/** KEY=value lines of .dev.vars (the local secrets file), when it exists. */
function readDevVars(): Record<string, string> {
  if (!existsSync('.dev.vars')) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync('.dev.vars', 'utf8').split('\n')) {
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
