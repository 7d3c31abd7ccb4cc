// Scrubs secrets out of text that came from a vendor before it reaches a caller or a log.

const TOKEN_LIKE = /\b(?:sk|pk|rk|key|sess|org|proj)-[A-Za-z0-9_-]{6,}|\bBearer\s+\S+|\b[A-Za-z0-9_-]{32,}\b/g;
const MAX_MESSAGE = 300;

/**
 * Returns `text` with every known secret and anything shaped like a key replaced by `[redacted]`,
 * truncated to a few hundred characters. Vendors echo keys in auth errors ("Incorrect API key
 * provided: sk-abc..."), so nothing upstream is ever passed on verbatim.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  if (out.length > 4 * MAX_MESSAGE) out = out.slice(0, 4 * MAX_MESSAGE);
  out = out.replace(TOKEN_LIKE, '[redacted]').replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}
