import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeB64, encodeB64 } from './base64.js';
import { formatArgon2idPhc, parseArgon2idPhc } from './phc.js';

const SAMPLE = '$argon2id$v=19$m=19456,t=2,p=1$f1evx9dSnVHMBE6Q1NV4Ew$zuNYrXhkg0DCAHYt5hQ8lHR4RfQ22KIDg1BWtwybNSI';

const hashes = fc.record({
  memory: fc.integer({ min: 8 * 16, max: 4 * 1024 * 1024 }),
  passes: fc.integer({ min: 1, max: 1024 }),
  parallelism: fc.integer({ min: 1, max: 16 }),
  salt: fc.uint8Array({ minLength: 8, maxLength: 64 }),
  hash: fc.uint8Array({ minLength: 16, maxLength: 64 }),
});

describe('PHC strings', () => {
  it('parses what @node-rs/argon2 and node-argon2 write', () => {
    const parsed = parseArgon2idPhc(SAMPLE);
    expect(parsed).toMatchObject({ memory: 19456, passes: 2, parallelism: 1 });
    expect(parsed?.salt).toHaveLength(16);
    expect(parsed?.hash).toHaveLength(32);
    expect(formatArgon2idPhc(parsed as NonNullable<typeof parsed>)).toBe(SAMPLE);
  });

  it('round-trips every well-formed hash', () => {
    fc.assert(
      fc.property(hashes, (value) => {
        const text = formatArgon2idPhc(value);
        expect(parseArgon2idPhc(text)).toEqual(value);
      }),
    );
  });

  it('never throws, and what it accepts is canonical (formats back to the same string)', () => {
    const alphabet = '$argon2idv=19mtp,0123456789ABCabc+/=-_ \n';
    const noise = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 120 });
    const mutated = fc
      .tuple(hashes, fc.nat(200), fc.constantFrom('', '=', '-', '_', ' ', '$', ',', '0', 'A', 'z', '\u00e9'), fc.nat(3))
      .map(([value, at, insert, drop]) => {
        const text = formatArgon2idPhc(value);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + drop);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), noise, mutated, fc.anything()), (input) => {
        const parsed = parseArgon2idPhc(input);
        if (parsed !== undefined) expect(formatArgon2idPhc(parsed)).toBe(input);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['another algorithm', SAMPLE.replace('argon2id', 'argon2i')],
    ['another version', SAMPLE.replace('v=19', 'v=16')],
    ['no version', SAMPLE.replace('$v=19', '')],
    ['parameters out of order', SAMPLE.replace('m=19456,t=2', 't=2,m=19456')],
    ['a leading zero', SAMPLE.replace('m=19456', 'm=019456')],
    ['p = 0', SAMPLE.replace('p=1', 'p=0')],
    ['t = 0', SAMPLE.replace('t=2', 't=0')],
    ['m below 8 KiB per lane', SAMPLE.replace('m=19456,t=2,p=1', 'm=15,t=2,p=2')],
    ['m over 4 GiB', SAMPLE.replace('m=19456', 'm=4194305')],
    ['a keyid parameter', SAMPLE.replace('p=1', 'p=1,keyid=abc')],
    ['padding', `${SAMPLE}=`],
    ['the URL alphabet', SAMPLE.replace(/\+/g, '-').replace(/\//g, '_').replace('zuN', 'zu-')],
    ['a trailing newline', `${SAMPLE}\n`],
    ['non-zero spare bits in the salt', SAMPLE.replace('f1evx9dSnVHMBE6Q1NV4Ew', 'f1evx9dSnVHMBE6Q1NV4Ex')],
    ['a salt under 8 bytes', SAMPLE.replace('f1evx9dSnVHMBE6Q1NV4Ew', 'AAAAAAAAAA')],
    ['a tag under 16 bytes', SAMPLE.replace(/\$[^$]+$/, '$AAAAAAAAAAAAAAAAAAAA')],
    ['a missing tag', SAMPLE.replace(/\$[^$]+$/, '')],
    ['an empty string', ''],
  ])('refuses %s', (_, text) => {
    expect(parseArgon2idPhc(text)).toBeUndefined();
  });
});

describe('base64 (PHC B64)', () => {
  it('round-trips and matches the platform encoder without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = encodeB64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64').replace(/=+$/, ''));
        expect(decodeB64(text)).toEqual(bytes);
      }),
    );
  });

  it('decodes only canonical text: any string it accepts encodes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0189+/=-_ '), maxLength: 40 }), (text) => {
        const bytes = decodeB64(text);
        if (bytes !== undefined) expect(encodeB64(bytes)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});
