// The suite-wide transcript: every `wrangler dev` a test run starts copies its output here, so one test can read them all.
import { randomUUID } from 'node:crypto';
import { appendFileSync, createWriteStream, existsSync, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** Names the transcript directory; set by test/e2e/transcript-setup.ts for the whole e2e run. */
export const TRANSCRIPT_DIR_ENV = 'PROXY_TEST_TRANSCRIPT_DIR';

/** A new file in the transcript directory for one process's output, or undefined when no transcript is kept. */
export function openTranscript(label: string): WriteStream | undefined {
  const dir = process.env[TRANSCRIPT_DIR_ENV];
  if (dir === undefined || dir === '' || !existsSync(dir)) return undefined;
  return createWriteStream(join(dir, `${label}-${randomUUID()}.log`), { flags: 'a' });
}

/** Everything every transcribed process printed: one entry per process. */
export function readTranscripts(dir: string): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.log'))
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

/** Records a secret a test handed to a Worker or a client, for the suite's final secret check. */
export function registerSecret(dir: string, what: string, value: string): void {
  appendFileSync(join(dir, 'secrets.jsonl'), `${JSON.stringify({ what, value })}\n`);
}

/** Every secret registered during the run. */
export function registeredSecrets(dir: string): { what: string; value: string }[] {
  const file = join(dir, 'secrets.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { what: string; value: string });
}
