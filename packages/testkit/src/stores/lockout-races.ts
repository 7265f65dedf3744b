import type { LockoutOptions } from '@bulwark/lockout';
import { expect, it } from 'vitest';
import { type LockoutStoreSubject, lockoutOn, uniqueAccount, uniqueIp, withSubject } from './lockout-fixtures.js';

/** Races with real concurrency: every reserve is in flight at once, on one store. */
export function runLockoutRaces(fresh: () => Promise<LockoutStoreSubject>): void {
  it('50 parallel wrong passwords for one account and IP: exactly counted, at most 5 reach the check', () =>
    withSubject(fresh, async (subject) => {
      const { signIns, events } = lockoutOn(subject);
      const [account, ip] = [uniqueAccount(), uniqueIp()];
      let checked = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const attempt = await signIns.reserve({ account, ip });
          if (!attempt.allowed) return;
          checked += 1; // the password check would run here
          await attempt.settle(false);
        }),
      );
      expect(checked).toBe(5);
      const status = await signIns.status({ account, ip });
      expect(status.account.count).toBe(5);
      expect(status.ip.count).toBe(5);
      expect(status.pair.level).toBe(1);
      expect(events.filter((e) => e.type === 'lockout')).toHaveLength(1);
    }));

  it('parallel attempts from many IPs at one account stop at the account ceiling exactly', () =>
    withSubject(fresh, async (subject) => {
      const { signIns } = lockoutOn(subject, { account: { attempts: 30 } });
      const account = uniqueAccount('victim');
      const ips = Array.from({ length: 20 }, () => uniqueIp());
      let checked = 0;
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const attempt = await signIns.reserve({ account, ip: ips[i % ips.length] as string });
          if (!attempt.allowed) return;
          checked += 1;
          await attempt.settle(false);
        }),
      );
      // 20 IPs could pass 100 at the pair's 5 each; the account ceiling lets exactly 30 through.
      expect(checked).toBe(30);
      expect((await signIns.status({ account, ip: uniqueIp() })).account.level).toBe(1);
    }));

  it('successes racing failures: each success resets the pair and gives back exactly its own attempt', () =>
    withSubject(fresh, async (subject) => {
      const { signIns } = lockoutOn(subject);
      const [account, ip] = [uniqueAccount(), uniqueIp()];
      let [successes, failures] = [0, 0];
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const attempt = await signIns.reserve({ account, ip });
          if (!attempt.allowed) return;
          if (i % 2 === 0) successes += 1;
          else failures += 1;
          await attempt.settle(i % 2 === 0);
        }),
      );
      // At least the first five; more only when a success reset the pair before later reserves.
      expect(successes + failures).toBeGreaterThanOrEqual(5);
      const status = await signIns.status({ account, ip });
      expect(status.account.count).toBe(failures);
      expect(status.ip.count).toBe(failures);
    }));

  it('two processes share one account and IP count', async () => {
    const probe = await fresh();
    const supported = probe.failFromOtherProcess !== undefined;
    await probe.close();
    if (!supported) return;
    await withSubject(fresh, async (subject) => {
      const options: LockoutOptions = { pair: { attempts: 40 }, account: { attempts: 1000 }, ip: { attempts: 1000 } };
      const { signIns } = lockoutOn(subject, options);
      const [account, ip] = [uniqueAccount(), uniqueIp()];
      // The other process takes the account's tag from the same normalisation and hash.
      const target = { account: await tagOf(account), ip };
      const here = Promise.all(
        Array.from({ length: 30 }, async () => {
          const attempt = await signIns.reserve({ account, ip });
          if (!attempt.allowed) return 0;
          await attempt.settle(false);
          return 1;
        }),
      ).then((ones) => ones.reduce<number>((a, b) => a + b, 0));
      const there = (subject.failFromOtherProcess as NonNullable<LockoutStoreSubject['failFromOtherProcess']>)(
        target,
        options,
        30,
      );
      const [allowedHere, allowedThere] = await Promise.all([here, there]);
      expect(allowedHere + allowedThere).toBe(40);
      const status = await signIns.status({ account, ip });
      expect(status.account.count).toBe(40);
      expect(status.pair.level).toBe(1);
    });
  }, 60_000);
}

async function tagOf(account: string): Promise<string> {
  const { accountTagger } = await import('@bulwark/lockout');
  return accountTagger(undefined)(account);
}
