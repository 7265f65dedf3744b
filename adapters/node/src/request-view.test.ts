import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathOf } from './request-view.js';

describe('pathOf', () => {
  it('ends the path at the query or at a fragment, as the routers do', () => {
    expect(pathOf('/v2/reports')).toBe('/v2/reports');
    expect(pathOf('/v2/reports?x=1')).toBe('/v2/reports');
    expect(pathOf('/v2/reports#x')).toBe('/v2/reports');
    expect(pathOf('/v2/reports#x?y')).toBe('/v2/reports');
    expect(pathOf('/v2/reports?y#x')).toBe('/v2/reports');
    expect(pathOf('/v2/reports%23x')).toBe('/v2/reports%23x');
    expect(pathOf('http://h/v2/reports?x#y')).toBe('/v2/reports');
    expect(pathOf('http://h/v2/reports#y')).toBe('/v2/reports');
  });

  it('answers / for an empty, missing or unparseable target', () => {
    expect(pathOf(undefined)).toBe('/');
    expect(pathOf('')).toBe('/');
    expect(pathOf('*')).toBe('/');
    expect(pathOf('http://')).toBe('/');
  });

  it('keeps every path and drops whatever follows a ? or # (property)', () => {
    const pathChar = fc.constantFrom(...'abz09-._~%/;:@!$&()*+,='.split(''));
    const path = fc.array(pathChar, { maxLength: 20 }).map((cs) => `/${cs.join('')}`);
    fc.assert(
      fc.property(path, fc.constantFrom('?', '#'), fc.string(), (p, mark, rest) => {
        expect(pathOf(p)).toBe(p);
        expect(pathOf(`${p}${mark}${rest}`)).toBe(p);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.string(), (target) => {
        expect(typeof pathOf(target)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
