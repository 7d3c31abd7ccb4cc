// The proxy's structured log lines in what `wrangler dev` printed: each JSON object from `{"level"` to the line's end.

// An ANSI colour code: ESC, `[`, digits and semicolons, `m` (wrangler colours warn and error lines).
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Every structured log line in `output`, parsed; other lines and broken JSON are skipped. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .replace(ANSI_COLOUR, '')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"level"');
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
