import { manualClock, type SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountTagger, normalizeAccount } from './identity.js';
import { lockout } from './lockout.js';
import { memoryLockoutStore } from './memory-store.js';

const fresh = (options: Parameters<typeof lockout>[0] = {}) => {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const events: SecurityEvent[] = [];
  const signIns = lockout({ store: memoryLockoutStore({ clock }), onEvent: (e) => events.push(e), ...options });
  return { clock, events, signIns };
};

async function lockedAnswer(signIns: ReturnType<typeof lockout>, account: string, ip: string) {
  for (let i = 0; i < 5; i++) {
    const attempt = await signIns.reserve({ account, ip });
    if (attempt.allowed) await attempt.settle(false);
  }
  const attempt = await signIns.reserve({ account, ip });
  if (attempt.allowed) throw new Error('not locked');
  return attempt;
}

describe('lockout', () => {
  it('answers a lock the same for any account, known or not: 429 login_locked, Retry-After, no account in it', async () => {
    const { signIns } = fresh();
    const known = await lockedAnswer(signIns, 'alice@example.com', '192.0.2.1');
    const unknown = await lockedAnswer(signIns, 'nobody-such@example.com', '192.0.2.1');
    expect(known).toEqual(unknown);
    expect(known.decision).toMatchObject({
      status: 429,
      code: 'login_locked',
      headers: [['retry-after', '900']],
      problem: { retryAfter: 900, status: 429 },
    });
    expect(JSON.stringify(known)).not.toContain('alice');
  });

  it('events carry the account minimised, the IP, and the lock (scope, duration, attempts)', async () => {
    const { signIns, events } = fresh();
    await lockedAnswer(signIns, 'Alice@Example.com', '2001:db8::7');
    expect(JSON.stringify(events)).not.toMatch(/alice/i);
    const tag = await accountTagger(undefined)('alice@example.com');
    expect(events[0]).toEqual({
      type: 'login.failed',
      at: Date.UTC(2026, 0, 1),
      clientIp: '2001:db8::7',
      account: tag,
      reason: 'invalid_credentials',
      attempts: 1,
    });
    expect(events.find((e) => e.type === 'lockout')).toEqual({
      type: 'lockout',
      at: Date.UTC(2026, 0, 1),
      clientIp: '2001:db8::7',
      scope: 'pair',
      account: tag,
      durationMs: 900_000,
      attempts: 5,
      lockLevel: 1,
      until: Date.UTC(2026, 0, 1) + 900_000,
    });
    expect(events.at(-1)).toMatchObject({ type: 'login.failed', reason: 'locked', attempts: 0 });
  });

  it('settles once: a second settle, even true, changes nothing', async () => {
    const { signIns } = fresh();
    const attempt = await signIns.reserve({ account: 'a@example.com', ip: '192.0.2.9' });
    if (!attempt.allowed) throw new Error('refused');
    await attempt.settle(false);
    await attempt.settle(true);
    expect((await signIns.status({ account: 'a@example.com', ip: '192.0.2.9' })).pair.count).toBe(1);
  });

  it('counts one IPv6 /64 as one client', async () => {
    const { signIns } = fresh();
    for (let i = 1; i <= 5; i++) {
      const attempt = await signIns.reserve({ account: 'a@example.com', ip: `2001:db8:1:2::${i}` });
      if (attempt.allowed) await attempt.settle(false);
    }
    expect((await signIns.reserve({ account: 'a@example.com', ip: '2001:db8:1:2:ffff::1' })).allowed).toBe(false);
    expect((await signIns.reserve({ account: 'a@example.com', ip: '2001:db8:1:3::1' })).allowed).toBe(true);
  });

  it('keys account tags with accountKey: another key, another tag; and checks its length', async () => {
    const a = await accountTagger('k'.repeat(32))('alice@example.com');
    const b = await accountTagger('j'.repeat(32))('alice@example.com');
    const plain = await accountTagger(undefined)('alice@example.com');
    expect(new Set([a, b, plain]).size).toBe(3);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => lockout({ accountKey: 'short' })).toThrow(/accountKey/);
  });

  it('refuses bad options, naming them', () => {
    expect(() => lockout({ pair: { attempts: 0 } })).toThrow(/pair\.attempts/);
    expect(() => lockout({ pair: { within: '1ms' } })).toThrow(/pair\.within/);
    expect(() => lockout({ ip: { lockFor: '2h', maxLockFor: '1h' } })).toThrow(/ip\.maxLockFor/);
    expect(() => lockout({ account: { attempts: 3 } })).toThrow(/account\.attempts/);
    expect(() => lockout({ ip: { attempts: 4 } })).toThrow(/ip\.attempts/);
    expect(() => lockout({ pair: { atempts: 3 } as never })).toThrow(/pair\.atempts/);
    expect(() => lockout({ store: {} as never })).toThrow(/store/);
    expect(() => lockout({ ipv6Prefix: 200 })).toThrow(/ipv6Prefix/);
  });

  it('normalises an identifier idempotently, case-insensitively and around whitespace (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const once = normalizeAccount(text);
        expect(normalizeAccount(once)).toBe(once);
        expect(normalizeAccount(` ${text.toUpperCase()}\t`)).toBe(normalizeAccount(text.toUpperCase()));
      }),
    );
    expect(normalizeAccount('STRASSE@x')).toBe(normalizeAccount('straße@x'));
  });
});
