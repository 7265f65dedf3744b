import { describe, expect, it } from 'vitest';
import { statementName, statementNames } from './prepared.js';
import { bindStatements, quoteSchema } from './sql.js';

describe('prepared statement names', () => {
  const statements = { a: 'SELECT 1 FROM {schema}.t WHERE id = $1', b: 'SELECT 2 FROM {schema}.t' };

  it('are stable for one text, and differ between texts and between schemas', () => {
    const one = statementNames(bindStatements(quoteSchema('one'), statements));
    const again = statementNames(bindStatements(quoteSchema('one'), statements));
    const two = statementNames(bindStatements(quoteSchema('two'), statements));
    expect(one).toEqual(again);
    expect(one.a).not.toBe(one.b);
    expect(one.a).not.toBe(two.a);
    expect(one.a).toMatch(/^bulwark_[0-9a-f]{16}$/);
  });

  it('fit an identifier (PostgreSQL truncates names past 63 bytes)', () => {
    expect(statementName('x'.repeat(100_000)).length).toBeLessThanOrEqual(63);
    // FNV-1a 64 of the empty string: the offset basis.
    expect(statementName('')).toBe('bulwark_cbf29ce484222325');
  });
});
