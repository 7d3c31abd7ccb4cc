// The Codex CLI of the dev dependencies: finding a runnable binary, its config.toml, and one `codex exec` run kept offline, non-interactive and bounded in time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'smol-toml';
import { type CliLocation, type CliRun, locateCli, runCli } from '../support/cli-run.ts';
import { listenOnLoopback } from '../support/loopback.ts';

/** The version pinned in package.json (devDependencies, exact). */
export const CODEX_VERSION = '0.169.1';

/** The env var config.toml names (`env_key`) for the client key Codex sends as `Authorization: Bearer`. */
export const CODEX_KEY_ENV = 'PROXY_CLIENT_KEY';

/** The package's launcher: it finds the native binary in the platform package (`@openai/codex-linux-x64`, an optional dependency). */
const LAUNCHER = fileURLToPath(new URL('../../node_modules/@openai/codex/bin/codex.js', import.meta.url));
const BIN = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));

/** A command that runs the CLI, or why none does here. */
export type Codex = CliLocation;

/**
 * The first of `node codex.js` (this Node, so no `node` needed on PATH) and `node_modules/.bin/codex`
 * that answers `--version` with the pinned version's banner. When neither does (no native build for
 * this platform, the optional platform package not installed), the reason, with what each said.
 */
export function locateCodex(): Codex {
  return locateCli('the Codex CLI', [[process.execPath, LAUNCHER], [BIN]], (stdout) => stdout.startsWith('codex-cli '));
}

/**
 * config.toml for one run: the proxy as the only model provider, speaking Responses, and everything
 * that would leave the machine off. What each setting stopped is in test/fixtures/codex/README.md:
 * `features.plugins` (a git clone of github.com/openai/plugins, api.github.com and chatgpt.com at
 * every start), analytics and OTEL metrics (ab.chatgpt.com), the update check and feedback uploads.
 * The built-in `web_search` tool stays on as Codex sends it by default: the vendor runs it, so it
 * causes no traffic from this machine (a chat-only target is offered the other tools).
 * Codex's own retries are off unless `codexRetries`: a proxy error must show as one request and a
 * failed run, never hide behind a silent retry.
 */
export function codexConfigToml(baseUrl: string, model: string, codexRetries = false): string {
  const retries = codexRetries ? {} : { request_max_retries: 0, stream_max_retries: 0 };
  return stringify({
    model_provider: 'proxy',
    model,
    check_for_update_on_startup: false,
    model_providers: {
      proxy: {
        name: 'edge-llm-proxy',
        base_url: baseUrl,
        wire_api: 'responses',
        env_key: CODEX_KEY_ENV,
        ...retries,
        stream_idle_timeout_ms: 20_000,
      },
    },
    features: { plugins: false },
    analytics: { enabled: false },
    feedback: { enabled: false },
    otel: { exporter: 'none', metrics_exporter: 'none', trace_exporter: 'none' },
  });
}

/** A loopback listener given to Codex as its HTTP(S) proxy: every attempt to reach past loopback lands here. */
export interface EgressTrap {
  url: string;
  /** What arrived: `CONNECT host:port` or `GET http://…`, in order. */
  seen(): string[];
  close(): Promise<void>;
}

/** Starts an egress trap: it records each request line and closes the connection at once. */
export async function startEgressTrap(): Promise<EgressTrap> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, seen: () => [...seen], close: listening.close };
}

/** One run's provider, key, directories, egress trap and time limit. */
export interface CodexRunOptions {
  /** The provider's base URL: Codex posts to `<baseUrl>/responses`. */
  baseUrl: string;
  /** The model Codex asks for (a proxy alias). */
  model: string;
  apiKey: string;
  /** An empty directory of the run's own: HOME, with CODEX_HOME (config.toml, logs) under it. */
  home: string;
  /** The working directory the task's files go to. */
  cwd: string;
  /** The egress trap's origin, given as HTTP_PROXY, HTTPS_PROXY and ALL_PROXY (loopback stays direct). */
  trapUrl: string;
  timeoutMs: number;
  /** Keep Codex's default request and stream retries (for studying them); off by default. */
  codexRetries?: boolean;
}

/** The environment of a run: a bare PATH, the run's HOME, the client key, and every proxy variable pointing at the trap. */
function runEnv(options: CodexRunOptions): Record<string, string> {
  const proxies = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'].flatMap((name) => [name, name.toLowerCase()]);
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TERM: 'dumb',
    NO_COLOR: '1',
    HOME: options.home,
    CODEX_HOME: join(options.home, '.codex'),
    [CODEX_KEY_ENV]: options.apiKey,
    ...Object.fromEntries(proxies.map((name) => [name, options.trapUrl])),
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/**
 * Runs `codex exec --json <prompt>` with its own CODEX_HOME/config.toml (`codexConfigToml`), stdin
 * closed, in `cwd`. `--sandbox workspace-write`: exec mode never asks for approval, and the model's
 * commands run in Codex's sandbox (its bundled bubblewrap plus seccomp, which works on this Linux
 * host), writable only in `cwd` and with no network; on a host without user namespaces
 * `--dangerously-bypass-approvals-and-sandbox` would be the way. `--ephemeral` keeps no session
 * files; `--strict-config` refuses a config key this version does not know. The CLI runs in a
 * process group of its own, killed whole at `timeoutMs` (`runCli`).
 */
export function runCodex(cli: { command: readonly string[] }, prompt: string, options: CodexRunOptions): Promise<CliRun> {
  const codexHome = join(options.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(options.baseUrl, options.model, options.codexRetries));
  const args = ['exec', '--json', '--strict-config', '--skip-git-repo-check', '--ephemeral', '--color', 'never'];
  args.push('--sandbox', 'workspace-write', '-C', options.cwd, prompt);
  return runCli(cli, args, { cwd: options.cwd, env: runEnv(options), timeoutMs: options.timeoutMs });
}

/** One line of `codex exec --json`: `thread.started`, `turn.started`, `item.started`/`item.completed` (with `item`), `turn.completed`, `turn.failed`, `error`. */
export type CodexEvent = {
  type: string;
  item?: { type: string; text?: string; message?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** The JSON events of a run's stdout, in order; a line that is not JSON is skipped. */
export function codexEvents(stdout: string): CodexEvent[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && 'type' in value ? [value as CodexEvent] : [];
    } catch {
      return [];
    }
  });
}
