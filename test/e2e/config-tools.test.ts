// The config tools a user runs before deploying: check-config's one-line errors, and the docs check CI runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'proxy-config-tools-'));

/** Runs a script of the repository with the Node that runs the tests (the npm-installed Node 22). */
function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PROXY_CONFIG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run check-config', () => {
  it.each([
    ['a file that does not exist', ['--file', 'no-such-config.json'], 'check-config: cannot read no-such-config.json: no such file'],
    ['a directory', ['--file', 'docs'], 'check-config: cannot read docs: it is a directory'],
    ['--file without a path', ['--file'], 'check-config: --file needs a path: npm run check-config -- --file config.json'],
  ])('answers %s with one line and exit code 1', (_name, args, line) => {
    const { status, stdout, stderr } = run('scripts/check-config.ts', args);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${line}\n`);
  });

  it('lists every bad path of an invalid file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ providers: { x: { protocol: 'smtp' } }, models: {}, cache: { ttlSeconds: 0 } }));
    const { status, stderr } = run('scripts/check-config.ts', ['--file', file]);
    expect(status).toBe(1);
    expect(stderr).toContain('providers.x.protocol');
    expect(stderr).toContain('cache.ttlSeconds');
  });

  it('accepts a 5-second cache TTL', () => {
    const file = join(dir, 'short.json');
    writeFileSync(file, JSON.stringify({ providers: {}, models: {}, cache: { ttlSeconds: 5 } }));
    expect(run('scripts/check-config.ts', ['--file', file]).status).toBe(0);
  });
});

describe('npm run docs:check', () => {
  it('passes on the committed docs/configuration.md', () => {
    const { status, stdout } = run('scripts/config-docs.ts', ['--check']);
    expect(stdout).toContain('is up to date');
    expect(status).toBe(0);
  });

  it('fails on a stale copy and says how to regenerate it', () => {
    const stale = join(dir, 'configuration.md');
    copyFileSync(join(ROOT, 'docs/configuration.md'), stale);
    writeFileSync(stale, readFileSync(stale, 'utf8').replace('`3600`', '`7200`'));
    const { status, stderr } = run('scripts/config-docs.ts', ['--check', '--file', stale]);
    expect(status).toBe(1);
    expect(stderr).toContain('is stale: run `npm run docs:config`');
  });
});
