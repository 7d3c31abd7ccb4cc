// Tests the mock's SHA-256 and thinking signatures: known digests, values pinned from Node's crypto, tamper detection (runs in workerd).

import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.ts';
import { redactThinking, signOmittedThinking, signThinking, verifyRedacted, verifyThinking } from './thinking-signature.ts';

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['a'.repeat(55), '9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318'],
    ['a'.repeat(56), 'b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a'],
    ['a'.repeat(64), 'ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb'],
    ['a'.repeat(1000), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3'],
    ['héllo wörld ✓ 🎉', '934143538acecefcc751b46a656c10bfbd7fffb5947f7b734ab990b178ae5be6'],
  ])('hashes %j as Node crypto does', (text, digest) => {
    expect(sha256Hex(text)).toBe(digest);
  });
});

describe('thinking signatures', () => {
  it('are pinned values that Node computes the same way, so every runtime and instance agrees', () => {
    expect(signThinking('')).toBe('mocksig_d8684355d456f041c0a81766228952c2b8e4a8091ae888bcdc64d74973126436');
    expect(signThinking('The user wants a short answer.')).toBe('mocksig_368e59803ae247adc29b495664d458696e64ad772a7332109ee9cbbf6cc5b717');
  });

  it('verify only for exactly the signed text', () => {
    const signature = signThinking('I will search.');
    expect(verifyThinking('I will search.', signature)).toBe(true);
    expect(verifyThinking('I will search', signature)).toBe(false);
    expect(verifyThinking('I will search.', signThinking('I will search!'))).toBe(false);
    expect(verifyThinking('I will search.', 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h')).toBe(false);
  });

  it('seal the hidden reasoning of an omitted block, valid only with an empty text', () => {
    const signature = signOmittedThinking('Call the tool.');
    expect(signature).not.toBe(signOmittedThinking('Call the other tool.'));
    expect(verifyThinking('', signature)).toBe(true);
    expect(verifyThinking('Call the tool.', signature)).toBe(false);
    const [payload, mac] = signature.split('.');
    expect(verifyThinking('', `${payload}.${mac?.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`)).toBe(false);
    expect(verifyThinking('', `mocksig_omitted_${btoa('Made up.')}.${mac}`)).toBe(false);
  });
});

describe('redacted thinking data', () => {
  it('verifies what the mock issued, whatever the text, and nothing else', () => {
    for (const hidden of ['', 'plain', 'ünïcødé ✓']) expect(verifyRedacted(redactThinking(hidden))).toBe(true);
    const data = redactThinking('secret reasoning');
    expect(data.startsWith('mockredacted_')).toBe(true);
    expect(data).not.toContain('secret reasoning');
    expect(verifyRedacted(data.replace('mockredacted_', 'mockredacted_x'))).toBe(false);
    expect(verifyRedacted(`${data}.extra`)).toBe(false);
    expect(verifyRedacted('EmwKAhgBEgy3va3pzix')).toBe(false);
    expect(verifyRedacted(signThinking('secret reasoning'))).toBe(false);
  });
});
