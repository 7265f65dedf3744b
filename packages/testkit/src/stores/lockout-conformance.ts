import type { LockoutEvent } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import {
  failTimes,
  type LockoutStoreSubject,
  lockoutOn,
  MINUTE,
  retryAfterOf,
  tryOnce,
  uniqueAccount,
  uniqueIp,
  withSubject,
} from './lockout-fixtures.js';
import { runLockoutRaces } from './lockout-races.js';

export type { LockoutStoreSubject } from './lockout-fixtures.js';

/**
 * The lockout store conformance suite: every implementation of `LockoutStore` (memory,
 * Redis, Redis Cluster, a third party's) runs it, through `lockout()` with DEMO.md's
 * thresholds unless a case says otherwise. `fresh` answers a new store on its own empty
 * namespace, made with a manual clock the suite moves. The races run with real
 * concurrency; the two-process case runs when the subject offers `failFromOtherProcess`.
 *
 * @example
 * ```ts
 * import { manualClock } from '@bulwark/core';
 * import { memoryLockoutStore } from '@bulwark/lockout';
 * runLockoutStoreConformance('memory', async () => {
 *   const clock = manualClock();
 *   return { store: memoryLockoutStore({ clock }), clock, close: async () => {} };
 * });
 * ```
 */
export function runLockoutStoreConformance(name: string, fresh: () => Promise<LockoutStoreSubject>): void {
  describe(`lockout store conformance: ${name}`, () => {
    it('five failures lock the pair for 15 minutes; the sixth is refused unchecked and counted nowhere', () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 5);
        const before = await signIns.status({ account, ip });
        expect(before.pair.lockedUntil).toBe(subject.clock.now() + 15 * MINUTE);
        // Even the right password: the attempt is refused before any check.
        expect(await retryAfterOf(signIns, account, ip)).toBe(900);
        subject.clock.advance(60_000);
        expect(await retryAfterOf(signIns, account, ip)).toBe(840);
        const after = await signIns.status({ account, ip });
        expect(after.account.count).toBe(5);
        expect(after.ip.count).toBe(5);
        expect(after.account).toEqual(before.account);
        const locks = events.filter((e): e is LockoutEvent => e.type === 'lockout');
        expect(locks).toHaveLength(1);
        expect(locks[0]).toMatchObject({ scope: 'pair', durationMs: 15 * MINUTE, attempts: 5, lockLevel: 1 });
        expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(7);
        expect(JSON.stringify(events)).not.toContain('example.com');
      }));

    it('another client IP still signs in, and the locked IP still reaches other accounts', () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 5);
        await retryAfterOf(signIns, account, ip);
        expect(await tryOnce(signIns, account, uniqueIp(), true)).toBe(true);
        expect(await tryOnce(signIns, uniqueAccount(), ip)).toBe(true);
      }));

    it('the lock ends with the clock; each further lock doubles, up to the cap', () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject, { pair: { maxLockFor: '1h' } });
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        for (const minutes of [15, 30, 60, 60]) {
          await failTimes(signIns, account, ip, 5);
          expect(await retryAfterOf(signIns, account, ip)).toBe(minutes * 60);
          subject.clock.advance(minutes * MINUTE - 1);
          await retryAfterOf(signIns, account, ip);
          subject.clock.advance(1);
        }
        expect(await tryOnce(signIns, account, ip)).toBe(true);
      }));

    it("a lock's level is forgotten maxLockFor after it ends", () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject, { pair: { maxLockFor: '1h' } });
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 5);
        subject.clock.advance(15 * MINUTE + 60 * MINUTE);
        await failTimes(signIns, account, ip, 5);
        expect(await retryAfterOf(signIns, account, ip)).toBe(900);
      }));

    it('failures older than the window are forgotten', () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 4);
        subject.clock.advance(15 * MINUTE);
        await failTimes(signIns, account, ip, 4);
        expect((await signIns.status({ account, ip })).pair).toEqual({ count: 4, level: 0, lockedUntil: 0 });
      }));

    it("a success resets the pair's count, and gives back only its own attempt to the account and IP", () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 4);
        expect(await tryOnce(signIns, account, ip, true)).toBe(true);
        const status = await signIns.status({ account, ip });
        expect(status.pair.count).toBe(0);
        expect(status.account.count).toBe(4);
        expect(status.ip.count).toBe(4);
        await failTimes(signIns, account, ip, 4);
        expect((await signIns.status({ account, ip })).pair.lockedUntil).toBe(0);
      }));

    it('the attempt that reaches the threshold and succeeds lifts the lock it set (lockout.cleared)', () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 4);
        expect(await tryOnce(signIns, account, ip, true)).toBe(true);
        expect(await tryOnce(signIns, account, ip, true)).toBe(true);
        expect(events.filter((e) => e.type === 'lockout')).toHaveLength(0);
        expect(events.filter((e) => e.type === 'lockout.cleared')).toMatchObject([
          { reason: 'success', scopes: ['pair'] },
        ]);
      }));

    it('an abandoned attempt (no password checked) is given back on every scope; earlier failures stay', () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 3);
        const before = await signIns.status({ account, ip });
        const attempt = await signIns.reserve({ account, ip });
        if (!attempt.allowed) throw new Error('expected an allowed attempt');
        await attempt.abandon();
        await attempt.settle(false); // settled already: counts nothing
        const after = await signIns.status({ account, ip });
        expect([after.pair.count, after.account.count, after.ip.count]).toEqual([
          before.pair.count,
          before.account.count,
          before.ip.count,
        ]);
        expect(after.pair.count).toBe(3);
        // Any number of busy refusals never lock: the user's right password still signs in.
        for (let i = 0; i < 10; i++) {
          const busy = await signIns.reserve({ account, ip });
          if (!busy.allowed) throw new Error('an abandoned attempt must not lock');
          await busy.abandon();
        }
        expect(await tryOnce(signIns, account, ip, true)).toBe(true);
        expect(events.filter((e) => e.type === 'lockout')).toHaveLength(0);
      }));

    it('the attempt that reaches the threshold and is abandoned lifts the lock it set, silently', () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject);
        const [account, ip] = [uniqueAccount(), uniqueIp()];
        await failTimes(signIns, account, ip, 4);
        const fifth = await signIns.reserve({ account, ip });
        if (!fifth.allowed) throw new Error('expected an allowed attempt');
        await fifth.abandon();
        const status = await signIns.status({ account, ip });
        expect(status.pair).toEqual({ count: 4, level: 0, lockedUntil: 0 });
        expect(events.filter((e) => e.type === 'lockout' || e.type === 'lockout.cleared')).toHaveLength(0);
        // The next real failure locks, as the fifth would have.
        await failTimes(signIns, account, ip, 1);
        expect((await signIns.status({ account, ip })).pair.lockedUntil).toBeGreaterThan(0);
      }));

    it('50 failures from many IPs lock the account for every client (the ceiling), 100 lock an IP', () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject);
        const account = uniqueAccount('victim');
        for (let client = 0; client < 10; client++) await failTimes(signIns, account, uniqueIp(), 5);
        expect(await retryAfterOf(signIns, account, uniqueIp())).toBe(900);
        expect(events.filter((e) => e.type === 'lockout' && e.scope === 'account')).toHaveLength(1);
        const stuffer = uniqueIp();
        for (let i = 0; i < 25; i++) await failTimes(signIns, uniqueAccount(), stuffer, 4);
        expect(await retryAfterOf(signIns, uniqueAccount(), stuffer)).toBe(900);
        expect(events.filter((e) => e.type === 'lockout' && e.scope === 'ip')).toMatchObject([
          { scope: 'ip', attempts: 100, clientIp: stuffer },
        ]);
        expect(await tryOnce(signIns, uniqueAccount(), uniqueIp())).toBe(true);
      }));

    it("unlock(account) lifts the account's lock and its pairs from every IP; unlock(ip) the IP's", () =>
      withSubject(fresh, async (subject) => {
        const { signIns, events } = lockoutOn(subject, { account: { attempts: 10 } });
        const [account, ip1, ip2] = [uniqueAccount(), uniqueIp(), uniqueIp()];
        await failTimes(signIns, account, ip1, 5);
        await failTimes(signIns, account, ip2, 5);
        await retryAfterOf(signIns, account, uniqueIp());
        await signIns.unlock({ account });
        expect(await tryOnce(signIns, account, ip1)).toBe(true);
        expect(await tryOnce(signIns, account, ip2)).toBe(true);
        const status = await signIns.status({ account, ip: ip1 });
        expect([status.pair.count, status.account.count]).toEqual([1, 2]);
        expect(events.at(-3)).toMatchObject({ type: 'lockout.cleared', reason: 'reset', scopes: ['account', 'pair'] });
        const stuffer = uniqueIp();
        for (let i = 0; i < 25; i++) await failTimes(signIns, uniqueAccount(), stuffer, 4);
        await retryAfterOf(signIns, uniqueAccount(), stuffer);
        await signIns.unlock({ ip: stuffer });
        expect(await tryOnce(signIns, uniqueAccount(), stuffer)).toBe(true);
      }));

    it('keeps accounts and IPs apart, and counts every spelling of one account together', () =>
      withSubject(fresh, async (subject) => {
        const { signIns } = lockoutOn(subject);
        const ip = uniqueIp();
        const account = uniqueAccount();
        await failTimes(signIns, account, ip, 2);
        await failTimes(signIns, `  ${account.toUpperCase()} `, ip, 3);
        await retryAfterOf(signIns, account, ip);
        expect(await tryOnce(signIns, `${account}x`, ip)).toBe(true);
        expect(await tryOnce(signIns, account, `2001:db8:${uniqueIp().split('.').at(-1)}::1`)).toBe(true);
      }));

    runLockoutRaces(fresh);
  });
}
