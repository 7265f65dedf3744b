import { ConfigError } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passwordPolicy } from './policy.js';

describe('passwordPolicy (NIST SP 800-63B)', () => {
  const policy = passwordPolicy();

  it('defaults to 12..128 code points and accepts a long passphrase with no composition rules', () => {
    expect(policy.minLength).toBe(12);
    expect(policy.maxLength).toBe(128);
    expect(policy.check('correct horse battery staple')).toEqual({
      ok: true,
      normalized: 'correct horse battery staple',
    });
    expect(policy.check('alllowercaseletters')).toMatchObject({ ok: true });
  });

  it('counts code points after NFKC, not UTF-16 units or bytes', () => {
    const emoji = '🔒'.repeat(12); // 24 UTF-16 units, 12 code points
    expect(policy.check(emoji)).toMatchObject({ ok: true });
    expect(policy.check('🔒'.repeat(11))).toEqual({ ok: false, reason: 'too_short' });
    // 11 base letters with combining accents: 22 code points before NFKC, 11 after.
    expect(policy.check('e\u0301'.repeat(11))).toEqual({ ok: false, reason: 'too_short' });
    expect(policy.check('e\u0301'.repeat(12))).toEqual({ ok: true, normalized: '\u00e9'.repeat(12) });
    // The ligature ﬃ is three letters under NFKC.
    expect(policy.check('\uFB03'.repeat(4))).toEqual({ ok: true, normalized: 'ffi'.repeat(4) });
  });

  it('refuses too long, measured after normalisation', () => {
    expect(policy.check('a'.repeat(128))).toMatchObject({ ok: true });
    expect(policy.check('a'.repeat(129))).toEqual({ ok: false, reason: 'too_long' });
    expect(policy.check('x'.repeat(100_000))).toEqual({ ok: false, reason: 'too_long' });
  });

  it('refuses common passwords whatever their case, and the words it is given', () => {
    expect(policy.check('password1234')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('QWERTYUIOP123')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('1qaz2wsx3edc')).toEqual({ ok: false, reason: 'common' });
    const ours = passwordPolicy({ blocked: ['NotesApiRocks!'] });
    expect(ours.check('notesapirocks!')).toEqual({ ok: false, reason: 'common' });
    expect(policy.check('notesapirocks!')).toMatchObject({ ok: true });
  });

  it('answers for any input, never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.anything()),
        (input) => {
          const result = policy.check(input as string);
          if (result.ok) expect(result.normalized).toBe((input as string).normalize('NFKC'));
          else expect(['too_short', 'too_long', 'common']).toContain(result.reason);
        },
      ),
    );
  });

  it.each([
    [{ minLength: 7 }, 'minLength'],
    [{ minLength: 10.5 }, 'minLength'],
    [{ maxLength: 63 }, 'maxLength'],
    [{ maxLength: 2000 }, 'maxLength'],
    [{ minLength: 80, maxLength: 64 }, 'minLength'],
    [{ blocked: 'word' }, 'blocked'],
    [{ requireDigits: true }, 'requireDigits'],
  ])('%o is a ConfigError naming %s', (options, option) => {
    expect(() => passwordPolicy(options as never)).toThrow(ConfigError);
    expect(() => passwordPolicy(options as never)).toThrow(expect.objectContaining({ option }));
  });

  it('takes a minimum of 8 and a maximum of 64', () => {
    const loose = passwordPolicy({ minLength: 8, maxLength: 64 });
    expect(loose.check('tr0ub4dor&3x')).toMatchObject({ ok: true });
    expect(loose.check('a'.repeat(65))).toEqual({ ok: false, reason: 'too_long' });
  });
});
