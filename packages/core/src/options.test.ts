import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { checkOptions } from './options.js';

const known = ['window', 'limit', 'key', 'maxKeys'];

function message(options: unknown, at?: string): string {
  try {
    checkOptions(options, known, at);
  } catch (err) {
    if (err instanceof ConfigError) return `${err.option}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('checkOptions', () => {
  it.each([
    [{ windw: 1 }, undefined, 'windw', 'window'], // deletion
    [{ widnow: 1 }, undefined, 'widnow', 'window'], // neighbours swapped
    [{ maxkeys: 1 }, undefined, 'maxkeys', 'maxKeys'], // case only
    [{ limt: 1 }, 'limits[2]', 'limits[2].limt', 'limit'],
    [{ ky: 1 }, 'limits[0]', 'limits[0].ky', 'key'], // a short name: one edit
  ])('names %o at %s as %s, meaning %s', (options, at, path, meant) => {
    expect(message(options, at)).toBe(
      `${path}: Invalid option "${path}": unknown option (a typo would otherwise be ignored); did you mean "${meant}"?`,
    );
  });

  it('suggests nothing when no known name is close', () => {
    expect(message({ colour: 'red' })).toBe(
      'colour: Invalid option "colour": unknown option (a typo would otherwise be ignored)',
    );
    // Two edits from a three-letter name reach almost anything: not suggested.
    expect(message({ xyz: 1 })).not.toContain('did you mean');
  });

  it.each([null, 'fast', 3, ['window']])('refuses %o: expected an object, named by its path', (options) => {
    expect(message(options)).toBe('options: Invalid option "options": expected an object');
    expect(message(options, 'failure')).toBe('failure: Invalid option "failure": expected an object');
  });

  it('accepts known keys, undefined values of known keys, and no keys', () => {
    expect(message({ window: '1m', limit: undefined })).toBe('accepted');
    expect(message({})).toBe('accepted');
  });
});
