import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatHeartbeatMessage as formatHeartbeat,
  formatRevocationMessage as formatRevocation,
  parseRevocationMessage as parseMessage,
} from './messages.js';

const id = fc.string({ minLength: 1, maxLength: 256, unit: 'binary' });
const seq = fc.integer({ min: 0, max: 2 ** 50 });
const until = fc.integer({ min: 0, max: 2 ** 50 });

describe('revocation channel messages', () => {
  it('a revocation gives back exactly what was announced, whatever the id holds', () => {
    fc.assert(
      fc.property(seq, fc.constantFrom('jti' as const, 'sid' as const), until, id, (s, kind, u, i) => {
        expect(parseMessage(formatRevocation(s, kind, u, i))).toEqual({
          type: 'revocation',
          seq: s,
          kind,
          until: u,
          id: i,
        });
      }),
    );
  });

  it('a heartbeat gives back its sequence and token', () => {
    fc.assert(
      fc.property(seq, fc.double({ min: 0, max: 1e12, noNaN: true }), (s, sentAt) => {
        expect(parseMessage(formatHeartbeat(s, String(sentAt)))).toEqual({
          type: 'heartbeat',
          seq: s,
          token: String(sentAt),
        });
      }),
    );
  });

  it('anything else is no message (ignored, never misread)', () => {
    for (const text of [
      '',
      'r',
      'r 1 j 5 ',
      'r 1 x 5 id',
      'r -1 j 5 id',
      'r 1 j -5 id',
      'h 1',
      'h x 1',
      'h 1 a b',
      'x 1 j 5 id',
    ]) {
      expect(parseMessage(text), JSON.stringify(text)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const parsed = parseMessage(text);
        if (parsed === undefined) return;
        const again =
          parsed.type === 'revocation'
            ? formatRevocation(parsed.seq, parsed.kind, parsed.until, parsed.id)
            : formatHeartbeat(parsed.seq, parsed.token);
        // Whatever parses, formatted back, parses to the same message.
        expect(parseMessage(again)).toEqual(parsed);
      }),
    );
  });
});
