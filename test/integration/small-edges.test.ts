// Small edges a user hits first: an unknown model names the aliases to use, the admin 403 says how to set the token locally.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { configFor, hello, helloMessages, KEYS, proxyWith } from './harness.ts';

type OpenAIError = { error: { code: string; message: string; param: string | null } };

describe('model_not_found', () => {
  it('names the aliases the client may use', async () => {
    const config = configFor([{ scenario: '' }]);
    (config.models as Record<string, unknown>).fast = { targets: [{ provider: 'p1', model: 'm' }] };
    const proxy = proxyWith(config);
    const res = await proxy.chat(hello({ model: 'gpt-4o' }));
    expect(res.status).toBe(404);
    const body = (await res.json()) as OpenAIError;
    expect(body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect(body.error.message).toBe('The model "gpt-4o" does not exist on this proxy. Models this client may use: "chat", "fast".');
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('names only the aliases of the client key allowlist when it refuses one outside it, in the Anthropic shape too', async () => {
    const secret = 'sk-client-allowlist-1';
    const config = configFor([{ scenario: '' }], {
      auth: { mode: 'keys', keys: [{ name: 'narrow', sha256: await sha256Hex(secret), models: ['chat'] }] },
    });
    (config.models as Record<string, unknown>).secret = { targets: [{ provider: 'p1', model: 'm' }] };
    const proxy = proxyWith(config);
    const headers = { 'x-api-key': secret, 'anthropic-version': '2023-06-01' };
    // Outside the allowlist is a 403 whether or not the alias exists: a client learns no other alias.
    const missing = await proxy.messages(helloMessages({ model: 'claude-sonnet-4-5' }), { headers });
    expect(missing.status).toBe(403);
    const message = ((await missing.json()) as { error: { message: string } }).error.message;
    expect(message).toContain('Models this client may use: "chat".');
    expect(message).not.toContain('secret');
    const refused = await proxy.chat(hello({ model: 'secret' }), { headers: { authorization: `Bearer ${secret}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as OpenAIError).error.message).toBe(
      'This client may not use the model "secret". Models this client may use: "chat".',
    );
  });
});

describe('admin routes without a token', () => {
  it('say how to set PROXY_ADMIN_TOKEN, for a deploy and in .dev.vars for wrangler dev', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]), KEYS);
    const res = await proxy.request('/admin/breakers', { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(403);
    const message = ((await res.json()) as OpenAIError).error.message;
    expect(message).toContain('wrangler secret put PROXY_ADMIN_TOKEN');
    expect(message).toContain('.dev.vars');
    expect(message).toContain('restart');
  });
});
