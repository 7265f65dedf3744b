import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSource } from './testing/sql-scan.js';

const SRC = new URL('.', import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('no SQL built from strings', () => {
  it('finds nothing in any .ts file of packages/postgres/src', () => {
    const files = tsFiles(SRC);
    // The scan must actually read the package (a wrong root would pass vacuously).
    expect(files.map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(['query.ts', 'migrate.ts', 'sql.ts']));
    const findings = files.flatMap((file) => scanSource(relative(SRC, file), readFileSync(file, 'utf8')));
    expect(findings).toEqual([]);
  });

  // The detector on samples it must catch, written as data so this file stays clean
  // (`#{` stands for a template placeholder).
  const source = (sample: string) => sample.replaceAll('#{', '$'.concat('{'));
  const bad: ReadonlyArray<[string, string]> = [
    ['template', "pool.query(`SELECT * FROM users WHERE email = '#{email}'`);"],
    ['template in a constant', 'const q = `DELETE FROM t WHERE id = #{id}`;'],
    ['lower-case template', 'const q = `select * from users where id = #{id}`;'],
    ['concatenation', "const q = 'SELECT * FROM users WHERE id = ' + id;"],
    ['concatenation, value first', "const q = name + ' FROM users';"],
    ['+=', "let q = 'SELECT 1'; q += ' WHERE x = ' + x;"],
    ['concat()', "const q = 'UPDATE t SET a = '.concat(value);"],
    ['join()', "const q = ['SELECT', col, 'FROM t'].join(' ');"],
    ['query text built in the call', "client.query(cond ? 'SELECT 1' : other);"],
  ];
  for (const [name, sample] of bad) {
    it(`catches ${name}`, () => {
      expect(scanSource('sample.ts', source(sample)).length).toBeGreaterThan(0);
    });
  }

  const good: ReadonlyArray<[string, string]> = [
    ['a parameterised constant', "pool.query('SELECT * FROM {schema}.t WHERE id = $1', [id]);"],
    ['the schema helper', "pool.query(inSchema(schema, 'SELECT 1 FROM {schema}.t'));"],
    ['an error message', 'throw new Error(`#{op}: no connection within #{ms} ms`);'],
    ['a multi-line constant', 'const Q = `SELECT a\n  FROM {schema}.t\n  WHERE b = $1`;'],
  ];
  for (const [name, sample] of good) {
    it(`accepts ${name}`, () => {
      expect(scanSource('sample.ts', source(sample))).toEqual([]);
    });
  }
});
