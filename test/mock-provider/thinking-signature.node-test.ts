// Checks the mock's SHA-256 and signatures against Node's crypto on many inputs, so Node and workerd sign alike. Runs in Node.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.ts';
import { signThinking } from './thinking-signature.ts';

const inputs = Array.from({ length: 200 }, (_, i) => `${'xé✓🎉'.repeat(i % 7)}${String.fromCharCode(32 + (i % 90)).repeat(i)}`);

describe('sha256Hex in Node', () => {
  it('equals node:crypto for 200 inputs of every length class and script', () => {
    for (const text of inputs) expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('signs thinking as mocksig_ + sha256(secret, kind, text)', () => {
    const secret = 'edge-llm-proxy mock provider thinking secret v1';
    const expected = createHash('sha256').update(`${secret}\u0000thinking\u0000Plan: reply.`).digest('hex');
    expect(signThinking('Plan: reply.')).toBe(`mocksig_${expected}`);
  });
});
