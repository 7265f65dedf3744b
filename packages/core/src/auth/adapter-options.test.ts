import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitGuardOptions } from './adapter-options.js';
import { AUTHENTICATION_OPTION_KEYS } from './authentication-policy.js';
import { joinedRawField } from './raw-field.js';

describe('splitGuardOptions', () => {
  it('splits policy and guard options, and names a typo against both lists', () => {
    const onEvent = () => {};
    expect(
      splitGuardOptions(
        { realm: 'r', onEvent, trustProxy: { hops: 1 }, header: 'forwarded' },
        AUTHENTICATION_OPTION_KEYS,
      ),
    ).toEqual({ policy: { realm: 'r', onEvent }, guard: { trustProxy: { hops: 1 }, header: 'forwarded' } });
    expect(() => splitGuardOptions({ trustproxy: 1 }, AUTHENTICATION_OPTION_KEYS)).toThrow(/did you mean "trustProxy"/);
    expect(() => splitGuardOptions({ optinal: true }, AUTHENTICATION_OPTION_KEYS)).toThrow(/did you mean "optional"/);
    expect(splitGuardOptions({ getPeerAddress: 1 }, [], ['getPeerAddress']).guard).toEqual({ getPeerAddress: 1 });
    expect(() => splitGuardOptions({ getPeerAddress: 1 }, [])).toThrow(/"getPeerAddress"/);
  });
});

describe('joinedRawField', () => {
  it('joins every line of the field, case-insensitively, as Web Headers do (property)', () => {
    const name = fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'Host', 'Authorizatio', 'X-Auth');
    const value = fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 8 }), (lines) => {
        const web = new Headers(lines);
        expect(joinedRawField(lines.flat(), 'authorization')).toBe(web.get('authorization') ?? undefined);
      }),
    );
  });

  it('ignores a dangling name without a value', () => {
    expect(joinedRawField(['Authorization'], 'authorization')).toBeUndefined();
  });
});
