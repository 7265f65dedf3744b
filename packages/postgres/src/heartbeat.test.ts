import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heartbeatTail, newInstance, ownHeartbeat } from './heartbeat.js';

describe('heartbeats on a shared channel', () => {
  const instance = newInstance();
  const sent = (seq: number, token: string, from = instance) =>
    'h '.concat(String(seq), ' ', heartbeatTail(from, token));

  it('gives back its own heartbeat exactly, for any number and send time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.double({ min: 0, max: 1e9, noNaN: true }), (seq, at) => {
        expect(ownHeartbeat(sent(seq, String(at)), instance, 1e9)).toEqual({ seq, token: String(at) });
      }),
    );
  });

  it("ignores another instance's heartbeats, whatever they carry", () => {
    const other = newInstance();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.nat(), (seq, at) => {
        expect(ownHeartbeat(sent(seq, String(at), other), instance, Number.MAX_VALUE)).toBeUndefined();
      }),
    );
  });

  it('ignores a heartbeat claiming to be sent in the future (a forged NOTIFY)', () => {
    expect(ownHeartbeat(sent(3, '1000.5'), instance, 1000)).toBeUndefined();
    expect(ownHeartbeat(sent(3, '999.5'), instance, 1000)).toEqual({ seq: 3, token: '999.5' });
  });

  it('refuses anything that is not a whole heartbeat', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (junk) => {
        const parsed = ownHeartbeat(junk, instance, Number.MAX_VALUE);
        if (parsed !== undefined) expect(junk).toBe(sent(parsed.seq, parsed.token));
      }),
    );
    for (const junk of ['', 'h', `h 1 ${instance}`, `h x ${instance} 1`, `h 1 ${instance} 1 2`, `r 1 ${instance} 1`]) {
      expect(ownHeartbeat(junk, instance, Number.MAX_VALUE)).toBeUndefined();
    }
  });
});
