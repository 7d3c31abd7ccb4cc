// docs/configuration.md is rendered from the schema: every key has a meaning, types read as words, a missing meaning fails.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { renderConfigDocs, type SchemaNode, sectionsOf, typeOf } from '../../src/config/docs.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';

const schema = z.toJSONSchema(proxyConfigSchema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;

describe('the config reference', () => {
  it('has a meaning for every key of PROXY_CONFIG', () => {
    expect(sectionsOf(schema).missing).toEqual([]);
  });

  it('has a table for every object, records and lists included', () => {
    expect(sectionsOf(schema).sections.map((s) => s.path)).toEqual([
      '',
      'providers.<provider id>',
      'models.<alias>',
      'models.<alias>.targets[]',
      'models.<alias>.targets[].pricing',
      'models.<alias>.sticky',
      'retry',
      'breaker',
      'cache',
      'degraded',
      'degraded.rules[]',
      'auth',
      'auth.keys[]',
      'cors',
      'limits',
      'status',
      'alerts',
      'responses',
    ]);
  });

  it('shows each key with its type, default and meaning', () => {
    const text = renderConfigDocs(schema, '# Head');
    expect(text).toContain('| `maxRetries` | integer from 0 to 10 | `2` | Retries of a transient error');
    expect(text).toContain('| `webhookEnv` | env var name | `"ALERT_WEBHOOK_URL"` |');
    expect(text).toContain('| `providers` | object: `<provider id>` → object (see below) | **required** |');
    expect(text).toContain(
      '| `ttlSeconds` | integer ≥ 1 | `3600` | How long a stored answer is served as fresh (any positive number of seconds). Example: `30`. |',
    );
  });

  it('refuses to render a schema with a key that has no description', () => {
    const bare = z.toJSONSchema(z.strictObject({ documented: z.number().meta({ description: 'yes' }), bare: z.string() })) as SchemaNode;
    expect(() => renderConfigDocs(bare, '# Head')).toThrow(/without a description.*: bare$/);
  });

  it.each<[SchemaNode, string]>([
    [{ type: 'integer', minimum: 0, maximum: 9007199254740991 }, 'integer ≥ 0'],
    [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, 'number > 0, ≤ 1'],
    [{ type: 'string', enum: ['a', 'b'] }, '`"a"` or `"b"`'],
    [{ type: 'string', format: 'uri' }, 'URL (http or https)'],
    [{ type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }, 'array of non-empty strings, at least 1'],
    [{ type: 'object', additionalProperties: { type: 'string' } }, 'object of strings'],
    [{ type: 'object', seeAlso: 'retry', properties: {} }, 'object (keys of `retry`)'],
  ])('writes the type %j as %s', (node, words) => {
    expect(typeOf(node)).toBe(words);
  });
});
