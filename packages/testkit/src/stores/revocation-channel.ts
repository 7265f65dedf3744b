import type { SecurityEvent } from '@bulwark/core';
import type { RevocationStore, RevocationTarget } from '@bulwark/tokens';
import { expect, it } from 'vitest';
import type { RevocationStoreSubject } from './revocation-conformance.js';
import { HOUR, pause, SLACK_MS, unique, untilRevoked, untilSynchronous, withSubject } from './revocation-support.js';

/* The revocation suite's cases for a shared store: its notification channel (another process, silence, a dropped subscriber) and an unreachable backend. */

export function channelCases(fresh: () => Promise<RevocationStoreSubject>, maxStaleness: number): void {
  it(
    'a revocation made in another process reaches this one at once, then answers synchronously',
    () =>
      withSubject(fresh, async (subject) => {
        const { store } = subject;
        if (subject.revokeFromOtherProcess === undefined || store.subscribe === undefined) {
          throw new Error('a store with a channel offers revokeFromOtherProcess and subscribe');
        }
        await untilSynchronous(store);
        const heardAt = new Map<string, number>();
        store.subscribe((t) => heardAt.set(t.id, Date.now()));
        const now = Date.now();
        const [jti, sid] = [unique('jti'), unique('sid')];
        const revokedAt = await subject.revokeFromOtherProcess([
          { kind: 'jti', id: jti, until: now + HOUR },
          { kind: 'sid', id: sid, until: now + HOUR },
        ]);
        const deadline = Date.now() + 1000;
        while (heardAt.size < 2 && Date.now() < deadline) await pause(5);
        expect([...heardAt.keys()].sort()).toEqual([jti, sid].sort());
        for (const at of heardAt.values()) expect(at - revokedAt).toBeLessThan(1000);
        // From the local view: no round trip.
        expect(store.isRevoked(jti, undefined, Date.now())).toBe(true);
        expect(store.isRevoked(unique('jti'), sid, Date.now())).toBe(true);
        expect(store.isRevoked(unique('jti'), unique('sid'), Date.now())).toBe(false);
      }),
    60_000,
  );

  it('instances sharing a namespace agree after many revocations at once on both', () =>
    withSubject(fresh, async (subject) => {
      if (subject.peer === undefined) throw new Error('a store with a channel offers peer');
      const peer = await subject.peer();
      try {
        await Promise.all([untilSynchronous(subject.store), untilSynchronous(peer.store)]);
        const now = Date.now();
        const targets: RevocationTarget[] = Array.from({ length: 100 }, (_, i) => ({
          kind: i % 3 === 0 ? 'sid' : 'jti',
          id: unique(`both-${i}`),
          until: now + HOUR,
        }));
        await Promise.all(targets.map((t, i) => (i % 2 === 0 ? subject.store : peer.store).revoke(t)));
        for (const { store } of [subject, peer]) {
          const check = () =>
            targets.map((t) =>
              t.kind === 'jti' ? store.isRevoked(t.id, undefined, now) : store.isRevoked('-', t.id, now),
            );
          const deadline = Date.now() + 1000;
          while (check().some((answer) => answer !== true) && Date.now() < deadline) await pause(10);
          expect(check()).toEqual(targets.map(() => true));
        }
      } finally {
        await peer.close();
      }
    }));

  it(`with its channel silent, stops answering a stale "not revoked" within maxStaleness (${maxStaleness} ms)`, () =>
    withSubject(fresh, async (subject) => {
      if (subject.peer === undefined || subject.silenceChannel === undefined) {
        throw new Error('a store with a channel offers peer and silenceChannel');
      }
      const peer = await subject.peer();
      try {
        await Promise.all([untilSynchronous(subject.store), untilSynchronous(peer.store)]);
        await subject.silenceChannel();
        const jti = unique('jti');
        await peer.store.revoke({ kind: 'jti', id: jti, until: Date.now() + HOUR });
        const took = await untilRevoked(subject.store, jti, undefined, maxStaleness + SLACK_MS);
        expect(took).toBeLessThanOrEqual(maxStaleness + SLACK_MS);
        // It now asks the store (a Promise), and said why.
        expect(subject.store.isRevoked(unique('jti'), undefined, Date.now())).toBeInstanceOf(Promise);
        expect(await subject.store.isRevoked(unique('jti'), undefined, Date.now())).toBe(false);
        expect(subject.events?.some((e) => e.type === 'revocation.store_failure')).toBe(true);
      } finally {
        await peer.close();
      }
    }));

  it(
    'with its channel connection killed, falls back at once, then resyncs and answers synchronously again',
    () =>
      withSubject(fresh, async (subject) => {
        if (subject.peer === undefined || subject.killChannel === undefined) {
          throw new Error('a store with a channel offers peer and killChannel');
        }
        const peer = await subject.peer();
        try {
          await Promise.all([untilSynchronous(subject.store), untilSynchronous(peer.store)]);
          await subject.killChannel();
          const [asked, unasked] = [unique('jti'), unique('sid')];
          // `unasked` first: however `asked` reaches the view (the channel, which delivers in
          // order, or the store), a view that vouches again must hold `unasked` too.
          await peer.store.revoke({ kind: 'sid', id: unasked, until: Date.now() + HOUR });
          await peer.store.revoke({ kind: 'jti', id: asked, until: Date.now() + HOUR });
          expect(await untilRevoked(subject.store, asked, undefined, maxStaleness + SLACK_MS)).toBeLessThanOrEqual(
            maxStaleness + SLACK_MS,
          );
          await untilSynchronous(subject.store, 10_000);
          // Never asked, yet in the view (a lost message is made up by the snapshot).
          expect(subject.store.isRevoked(unique('jti'), unasked, Date.now())).toBe(true);
          expect(subject.store.isRevoked(asked, undefined, Date.now())).toBe(true);
          // And the channel works again.
          const later = unique('jti');
          await peer.store.revoke({ kind: 'jti', id: later, until: Date.now() + HOUR });
          const deadline = Date.now() + 1000;
          while (subject.store.isRevoked(later, undefined, Date.now()) !== true && Date.now() < deadline)
            await pause(5);
          expect(subject.store.isRevoked(later, undefined, Date.now())).toBe(true);
        } finally {
          await peer.close();
        }
      }),
    30_000,
  );
}

/** Polls until the store asks its backend (a Promise) rather than its view; fails past `boundMs`. */
async function untilAsking(store: RevocationStore, boundMs: number): Promise<Promise<boolean>> {
  const started = Date.now();
  for (;;) {
    const answer = store.isRevoked(unique('jti'), unique('sid'), Date.now());
    if (typeof answer !== 'boolean') return answer;
    // A view proven complete a moment ago may answer from itself for up to maxStaleness.
    if (Date.now() - started > boundMs) throw new Error(`the store still answered from its view after ${boundMs} ms`);
    await pause(10);
  }
}

export function unreachableCases(
  unreachable: (failurePolicy: 'closed' | 'open') => Promise<RevocationStoreSubject>,
  maxStaleness: number,
): void {
  it(
    'with its backend unreachable and failurePolicy "closed", answers revoked, refuses to revoke, and says why',
    () =>
      withSubject(
        () => unreachable('closed'),
        async ({ store, events }) => {
          const started = Date.now();
          expect(await untilAsking(store, maxStaleness + SLACK_MS)).toBe(true);
          expect(Date.now() - started).toBeLessThan(maxStaleness + 5000);
          await expect(
            store.revoke({ kind: 'jti', id: unique('jti'), until: Date.now() + HOUR }),
          ).rejects.toMatchObject({
            code: 'store_unavailable',
          });
          expect(events?.some((e) => e.type === 'revocation.store_failure' && e.mode === 'fail-closed')).toBe(true);
        },
      ),
    30_000,
  );

  it(
    'with its backend unreachable and failurePolicy "open", answers not revoked, and says why',
    () =>
      withSubject(
        () => unreachable('open'),
        async ({ store, events }) => {
          expect(await untilAsking(store, maxStaleness + SLACK_MS)).toBe(false);
          expect(events?.some((e) => e.type === 'revocation.store_failure' && e.mode === 'fail-open')).toBe(true);
        },
      ),
    30_000,
  );
}
