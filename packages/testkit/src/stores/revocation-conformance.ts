import type { SecurityEvent } from '@bulwark/core';
import type { RevocationStore, RevocationTarget } from '@bulwark/tokens';
import { describe, expect, it } from 'vitest';
import { channelCases, unreachableCases } from './revocation-channel.js';
import { AWKWARD_IDS, HOUR, pause, unique, withSubject } from './revocation-support.js';

/** A store under test, with what the suite may do to it beyond the port. */
export interface RevocationStoreSubject {
  readonly store: RevocationStore;
  close(): Promise<void>;
  /** The events the store emitted (its `onEvent`), for stores that emit any. */
  readonly events?: readonly SecurityEvent[];
  /** Another instance on the same namespace with its own connections: another process's store, in this one. */
  peer?(): Promise<RevocationStoreSubject>;
  /** Revokes `targets` from a separate OS process on the same namespace; resolves with that process's clock (epoch ms) right after. */
  revokeFromOtherProcess?(targets: readonly RevocationTarget[]): Promise<number>;
  /** Makes the notification channel silent: its connection stays up, yet no message arrives any more. */
  silenceChannel?(): Promise<void>;
  /** Kills the notification channel's connection (its client reconnects by itself). */
  killChannel?(): Promise<void>;
}

export interface RevocationConformanceOptions {
  /**
   * For stores with a notification channel: the store's bound (ms) on answering a stale
   * "not revoked" once the channel has failed. The channel cases check it.
   */
  readonly maxStaleness?: number;
  /** A store whose backend cannot be reached, under each failure policy (and its events). */
  readonly unreachable?: (failurePolicy: 'closed' | 'open') => Promise<RevocationStoreSubject>;
}

/**
 * The revocation store conformance suite: every implementation of the port (memory, Redis,
 * Redis Cluster, a third party's) runs it. `fresh` answers a new store on its own empty
 * namespace for each case. The port's cases run for every store; the cases of a shared
 * store (another process's revocation reaching this one, a failed channel bounded by
 * `maxStaleness`, an unreachable backend under each failure policy) run when the subject
 * offers what they need (`revokeFromOtherProcess`, `peer`, `silenceChannel`,
 * `killChannel`, `options.unreachable`).
 *
 * @example
 * ```ts
 * import type { RevocationStore } from '@bulwark/tokens';
 * declare function myStore(namespace: string): RevocationStore; // the store under test
 * runRevocationStoreConformance('my-dynamo-store', async () => ({
 *   store: myStore(`test-${Date.now()}-${Math.random()}`),
 *   close: async () => {},
 * }));
 * ```
 */
export function runRevocationStoreConformance(
  name: string,
  fresh: () => Promise<RevocationStoreSubject>,
  options: RevocationConformanceOptions = {},
): void {
  describe(`revocation store conformance: ${name}`, () => {
    it('a revoked jti is revoked, whatever its session; other tokens are not', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const jti = unique('jti');
        await store.revoke({ kind: 'jti', id: jti, until: now + HOUR });
        expect(await store.isRevoked(jti, undefined, now)).toBe(true);
        expect(await store.isRevoked(jti, unique('sid'), now)).toBe(true);
        expect(await store.isRevoked(unique('jti'), undefined, now)).toBe(false);
        expect(await store.isRevoked(unique('jti'), unique('sid'), now)).toBe(false);
      }));

    it('a revoked sid revokes every token of the session, and only those', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const sid = unique('sid');
        await store.revoke({ kind: 'sid', id: sid, until: now + HOUR });
        expect(await store.isRevoked(unique('jti'), sid, now)).toBe(true);
        expect(await store.isRevoked(unique('jti'), sid, now)).toBe(true);
        expect(await store.isRevoked(unique('jti'), unique('sid'), now)).toBe(false);
        expect(await store.isRevoked(unique('jti'), undefined, now)).toBe(false);
        // The kinds are apart: a jti equal to the revoked sid is not revoked.
        expect(await store.isRevoked(sid, undefined, now)).toBe(false);
      }));

    it('holds while now < until, and no longer (the tokens have expired anyway)', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const [jti, sid] = [unique('jti'), unique('sid')];
        await store.revoke({ kind: 'jti', id: jti, until: now + HOUR });
        await store.revoke({ kind: 'sid', id: sid, until: now + 2 * HOUR });
        expect(await store.isRevoked(jti, undefined, now + HOUR - 1)).toBe(true);
        expect(await store.isRevoked(jti, undefined, now + HOUR)).toBe(false);
        expect(await store.isRevoked(unique('jti'), sid, now + 2 * HOUR - 1)).toBe(true);
        expect(await store.isRevoked(unique('jti'), sid, now + 2 * HOUR)).toBe(false);
        expect(await store.isRevoked(jti, sid, now + HOUR)).toBe(true);
      }));

    it('a later revocation extends one that holds; an earlier one never shortens it', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const jti = unique('jti');
        await store.revoke({ kind: 'jti', id: jti, until: now + HOUR });
        await store.revoke({ kind: 'jti', id: jti, until: now + 3 * HOUR });
        await store.revoke({ kind: 'jti', id: jti, until: now + 2 * HOUR });
        expect(await store.isRevoked(jti, undefined, now + 3 * HOUR - 1)).toBe(true);
        expect(await store.isRevoked(jti, undefined, now + 3 * HOUR)).toBe(false);
      }));

    it('a revocation whose until has passed keeps nothing', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const jti = unique('jti');
        await store.revoke({ kind: 'jti', id: jti, until: now - 1000 });
        expect(await store.isRevoked(jti, undefined, now)).toBe(false);
        expect(await store.isRevoked(jti, undefined, now - 2000)).toBe(false);
      }));

    it('keeps awkward ids apart and exact', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const prefix = unique('id');
        for (const id of AWKWARD_IDS) await store.revoke({ kind: 'jti', id: `${prefix}${id}`, until: now + HOUR });
        for (const id of AWKWARD_IDS) {
          expect(await store.isRevoked(`${prefix}${id}`, undefined, now), JSON.stringify(id)).toBe(true);
          expect(await store.isRevoked(`${prefix}${id}`.trimEnd().concat('?'), undefined, now)).toBe(false);
          expect(await store.isRevoked(unique('jti'), `${prefix}${id}`, now)).toBe(false);
        }
        const longest = `${prefix}${'x'.repeat(256 - prefix.length)}`;
        await store.revoke({ kind: 'sid', id: longest, until: now + HOUR });
        expect(await store.isRevoked(unique('jti'), longest, now)).toBe(true);
        expect(await store.isRevoked(unique('jti'), longest.slice(0, -1), now)).toBe(false);
      }));

    it('refuses a malformed target with invalid_argument, keeping nothing', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const bad = [
          { kind: 'session', id: 'a', until: now + HOUR },
          { kind: 'jti', id: '', until: now + HOUR },
          { kind: 'jti', id: 'x'.repeat(257), until: now + HOUR },
          { kind: 'jti', id: 42, until: now + HOUR },
          { kind: 'jti', id: 'a', until: now + 0.5 },
          { kind: 'jti', id: 'a', until: Number.NaN },
          { kind: 'jti', id: 'a', until: String(now + HOUR) },
        ];
        for (const target of bad) {
          await expect(
            store.revoke(target as unknown as RevocationTarget),
            JSON.stringify(target),
          ).rejects.toMatchObject({ code: 'invalid_argument' });
        }
        expect(await store.isRevoked('a', 'a', now)).toBe(false);
      }));

    it('many revocations and checks at once: every revocation holds, nothing else is revoked', () =>
      withSubject(fresh, async ({ store }) => {
        const now = Date.now();
        const targets: RevocationTarget[] = Array.from({ length: 200 }, (_, i) => ({
          kind: i % 2 === 0 ? 'jti' : 'sid',
          id: unique(`many-${i}`),
          until: now + HOUR + i,
        }));
        const bystanders = Array.from({ length: 50 }, () => unique('bystander'));
        const during = await Promise.all([
          ...targets.map((t) => store.revoke(t).then(() => true)),
          ...bystanders.map((b) => store.isRevoked(b, b, now)),
          ...targets.map((t) => store.isRevoked(t.id, t.id, now)),
        ]);
        expect(during.slice(targets.length, targets.length + bystanders.length)).toEqual(bystanders.map(() => false));
        const after = await Promise.all(
          targets.map((t) =>
            t.kind === 'jti' ? store.isRevoked(t.id, undefined, now) : store.isRevoked('z', t.id, now),
          ),
        );
        expect(after).toEqual(targets.map(() => true));
        expect(await Promise.all(bystanders.map((b) => store.isRevoked(b, b, now)))).toEqual(
          bystanders.map(() => false),
        );
      }));

    it('subscribers hear each revocation once; an unsubscribed one hears no more', () =>
      withSubject(fresh, async ({ store }) => {
        if (store.subscribe === undefined) return expect(store.subscribe).toBeUndefined();
        const heard: RevocationTarget[] = [];
        const off = store.subscribe((t) => heard.push(t));
        const target: RevocationTarget = { kind: 'sid', id: unique('sid'), until: Date.now() + HOUR };
        await store.revoke(target);
        const deadline = Date.now() + 2000;
        while (heard.length === 0 && Date.now() < deadline) await pause(10);
        expect(heard).toEqual([target]);
        off();
        await store.revoke({ kind: 'jti', id: unique('jti'), until: Date.now() + HOUR });
        await pause(100);
        expect(heard).toEqual([target]);
      }));

    if (options.maxStaleness !== undefined) channelCases(fresh, options.maxStaleness);
    if (options.unreachable !== undefined) unreachableCases(options.unreachable, options.maxStaleness ?? 0);
  });
}
