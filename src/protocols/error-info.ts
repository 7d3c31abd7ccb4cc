// Reading a vendor's error body, whatever its wire: what the fallback classifier needs, tolerant of junk.
import { isObject } from './json.ts';
import type { ErrorInfo } from './model.ts';

/**
 * Vendor business codes that mean an OpenAI error code, so the classifier reads them alike.
 * Zhipu: 1113 "balance exhausted" comes with a 429 (out of credit, not a rate limit); 1301
 * "unsafe or sensitive content" with a 400 (a content-policy rejection).
 */
const VENDOR_CODES: Readonly<Record<string, string>> = { '1113': 'insufficient_quota', '1301': 'content_filter' };

/**
 * Reads `{"error": {...}}` (OpenAI), `{"type": "error", "error": {...}}` (Anthropic) or a bare
 * `{"message"}`/string. Gemini's OpenAI endpoint wraps the body in an array (`[{"error": {...}}]`)
 * and names the kind in `status` (`RESOURCE_EXHAUSTED`); both are read.
 */
export function readErrorInfo(value: unknown): ErrorInfo {
  if (typeof value === 'string') return { code: '', type: '', message: value };
  const first: unknown = Array.isArray(value) ? value[0] : value;
  const root = isObject(first) ? first : {};
  const err = 'error' in root ? root.error : root;
  if (typeof err === 'string') return { code: '', type: '', message: err };
  if (!isObject(err)) return { code: '', type: '', message: '' };
  const code = typeof err.code === 'string' || typeof err.code === 'number' ? String(err.code).toLowerCase() : '';
  const type = typeof err.type === 'string' ? err.type : typeof err.status === 'string' ? err.status : '';
  return {
    code: VENDOR_CODES[code] ?? code,
    type: type.toLowerCase(),
    message: typeof err.message === 'string' ? err.message : '',
  };
}
