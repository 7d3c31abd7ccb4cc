// Stream rescue's policy: which later targets may continue a broken stream, when none is asked, and how a break is told.
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/pipeline/context.ts';
import type { UpstreamFailure } from '../../src/pipeline/fallback.ts';
import { brokenBy } from '../../src/stream/break.ts';
import { askRescuers, rescuersOf } from '../../src/stream/rescue.ts';
import { targetsOf } from './helpers/config.ts';

/** Targets named `provider` or `provider+prefill` (prefill forced on) or `provider-prefill` (forced off). */
const chain = (names: string[], first: Record<string, unknown> = {}) =>
  targetsOf(
    names.map((name, i) => {
      const [provider, mark] = name.split(/(?=[+-]prefill$)/);
      const prefill = mark === undefined ? {} : { prefill: mark === '+prefill' };
      return { provider, model: `m${i}`, ...prefill, ...(i === 0 ? first : {}) };
    }),
  );

describe('rescuersOf', () => {
  it.each<[string, string[], number, number[]]>([
    ['no later target continues a prefix', ['oai', 'plain', 'mistral'], 0, []],
    ['an Anthropic target comes later', ['oai', 'claude'], 0, [1]],
    ['DeepSeek (prefix continuation) comes later', ['oai', 'deepseek'], 0, [1]],
    ['Ollama (trailing assistant message) comes later', ['oai', 'ollama'], 0, [1]],
    ['a later target is marked prefill', ['oai', 'plain+prefill'], 0, [1]],
    ['a later Anthropic target is marked not to prefill', ['oai', 'claude-prefill'], 0, []],
    ['several come later, in chain order', ['oai', 'deepseek', 'plain', 'claude', 'ollama'], 0, [1, 3, 4]],
    ['the only prefill target is the one that broke', ['claude', 'oai'], 0, []],
    ['earlier prefill targets are never asked', ['claude', 'oai', 'deepseek'], 1, [2]],
    ['the last target broke', ['oai', 'claude'], 1, []],
  ])('when %s', (_name, names, index, expected) => {
    expect(rescuersOf(chain(names), index)).toEqual(expected);
  });

  it('is empty when the broken target says retry.streamRecovery "error"', () => {
    const targets = chain(['oai', 'claude', 'deepseek'], { retry: { streamRecovery: 'error' } });
    expect(rescuersOf(targets, 0)).toEqual([]);
    expect(rescuersOf(chain(['oai', 'claude', 'deepseek']), 0)).toEqual([1, 2]);
  });

  it('reads streamRecovery of the target that broke, not of the rescuers', () => {
    const targets = targetsOf([
      { provider: 'oai', model: 'a' },
      { provider: 'claude', model: 'b', retry: { streamRecovery: 'error' } },
    ]);
    expect(rescuersOf(targets, 0)).toEqual([1]);
  });

  it('is empty for a position outside the chain', () => {
    expect(rescuersOf(chain(['oai', 'claude']), 5)).toEqual([]);
  });
});

describe('askRescuers', () => {
  /** A context whose later targets would be asked: reading anything past `targets` throws. */
  const context = new Proxy({ targets: chain(['oai', 'claude']) } as object, {
    get(target, name) {
      if (name === 'targets' || name === 'then') return Reflect.get(target, name);
      throw new Error(`asked a rescuer (read ctx.${String(name)})`);
    },
  }) as RequestContext;

  it('never continues past a content-policy stop', async () => {
    const policy: UpstreamFailure = { kind: 'stream_error', code: 'content_filter', type: '', message: '' };
    await expect(askRescuers(context, 0, 'partial', policy)).resolves.toBeUndefined();
  });

  it('goes on to ask the rescuers after a transient break', async () => {
    const cut: UpstreamFailure = { kind: 'network', message: 'stream cut' };
    await expect(askRescuers(context, 0, 'partial', cut)).rejects.toThrow(/asked a rescuer/);
  });
});

describe('brokenBy', () => {
  it.each([
    ['idle', 'idle_timeout', 'idle'],
    ['attempt', 'attempt_timeout', 'attempt'],
    ['first_token', 'attempt_timeout', 'attempt'],
    ['deadline', 'attempt_timeout', 'attempt'],
  ] as const)('tells a %s timeout as %s', (phase, code, failurePhase) => {
    expect(brokenBy({ kind: 'timeout', phase }, [])).toEqual({
      code,
      message: `The upstream provider stopped responding (${code}); the answer is incomplete.`,
      failure: { kind: 'timeout', phase: failurePhase },
    });
  });

  it('tells a cut connection as stream_interrupted, a network failure', () => {
    expect(brokenBy({ kind: 'cut' }, [])).toEqual({
      code: 'stream_interrupted',
      message: 'The upstream connection was cut before the answer finished; the answer is incomplete.',
      failure: { kind: 'network', message: 'stream cut' },
    });
  });

  it('tells an error event as upstream_error, keeping its code and type for the classifier', () => {
    const error = { code: 'overloaded_error', type: 'overloaded_error', message: 'Overloaded' };
    expect(brokenBy({ kind: 'error', error }, [])).toEqual({
      code: 'upstream_error',
      message: 'The upstream provider failed mid-answer: Overloaded',
      failure: { kind: 'stream_error', code: 'overloaded_error', type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('scrubs a known secret and key-shaped text out of the vendor’s message, in the caller’s error and the failure', () => {
    const error = { code: '', type: '', message: 'key s3cr3t-value refused; also sk-proj-abcdefghijkl' };
    const broken = brokenBy({ kind: 'error', error }, ['s3cr3t-value']);
    expect(broken.message).toBe('The upstream provider failed mid-answer: key [redacted] refused; also [redacted]');
    expect(broken.failure).toMatchObject({ message: 'key [redacted] refused; also [redacted]' });
    expect(JSON.stringify(broken)).not.toMatch(/s3cr3t|sk-proj/);
  });

  it('says "upstream error" when the vendor gave no message', () => {
    expect(brokenBy({ kind: 'error', error: { code: 'x', type: '', message: '' } }, []).message).toBe(
      'The upstream provider failed mid-answer: upstream error',
    );
  });
});
