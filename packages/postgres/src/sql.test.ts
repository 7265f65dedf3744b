import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelName, inSchema, quoteSchema } from './sql.js';

describe('the schema identifier', () => {
  it('accepts exactly lower-case identifiers of 1 to 63 characters, not pg_*', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70, unit: 'binary' }), (name) => {
        const valid = /^[a-z_][a-z0-9_]{0,62}$/.test(name) && !name.startsWith('pg_');
        if (valid) expect(quoteSchema(name)).toBe('"'.concat(name, '"'));
        else expect(() => quoteSchema(name)).toThrow(expect.objectContaining({ option: 'schema' }));
      }),
    );
    for (const bad of ['', 'Bulwark', 'a"b', 'a;b', 'a b', 'a.b', '1a', 'é', 'pg_catalog', 'a'.repeat(64), 'x\u0000']) {
      expect(() => quoteSchema(bad)).toThrow(expect.objectContaining({ option: 'schema' }));
    }
    expect(() => quoteSchema(42)).toThrow(expect.objectContaining({ option: 'schema' }));
  });

  it('binds {schema} and {channel:topic} and nothing else', () => {
    const schema = quoteSchema('bulwark_x');
    expect(inSchema(schema, 'SELECT 1 FROM {schema}.t, {schema}.u WHERE a = $1')).toBe(
      'SELECT 1 FROM "bulwark_x".t, "bulwark_x".u WHERE a = $1',
    );
    expect(inSchema(schema, 'LISTEN {channel:api_keys}')).toBe('LISTEN "bulwark_x.api_keys"');
    expect(inSchema(schema, "SELECT '{schemas}', '{channel:}', '{channel:A}'")).toBe(
      "SELECT '{schemas}', '{channel:}', '{channel:A}'",
    );
  });

  it('names a notification channel by schema and topic, within the identifier limit', () => {
    expect(channelName('bulwark', 'revocations')).toBe('bulwark.revocations');
    expect(channelName('a'.repeat(51), 'revocations')).toHaveLength(63);
    expect(() => channelName('a'.repeat(52), 'revocations')).toThrow(expect.objectContaining({ option: 'schema' }));
  });
});
