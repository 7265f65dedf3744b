import type { SecurityEvent } from '@bulwark/core';
import type { RevocationStore, RevocationTarget } from '@bulwark/tokens';
import { describe, expect, it } from 'vitest';

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

/** Scheduling slack allowed over a bound: two timer turns on a shared 2-core machine. */
const SLACK_MS = 400;
const HOUR = 3_600_000;
let sequence = 0;
const unique = (what: string) => `${what}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ids a store must keep apart and give back as they are (separators, braces, spaces, line breaks, non-ASCII). */
const AWKWARD_IDS = ['a b', 'x:y:z', '{tag}', 'line\nbreak', 'ünï-çødé ✓', ' ', '*', 'r 5 jti 9 id'];

async function withSubject(
  fresh: () => Promise<RevocationStoreSubject>,
  body: (subject: RevocationStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    await body(subject);
  } finally {
    await subject.close();
  }
}

/** Resolves once the store answers from its local view (synchronously), failing after `timeoutMs`. */
async function untilSynchronous(store: RevocationStore, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = store.isRevoked(unique('probe'), undefined, Date.now());
    if (typeof answer === 'boolean') return;
    await answer;
    await pause(20);
  }
  throw new Error(`the store did not answer synchronously within ${timeoutMs} ms`);
}

/** Asks until the store says revoked; answers how long that took (ms), failing after `timeoutMs`. */
async function untilRevoked(store: RevocationStore, jti: string, sid: string | undefined, timeoutMs: number) {
  const start = Date.now();
  while (Date.now() - start <= timeoutMs) {
    if (await store.isRevoked(jti, sid, Date.now())) return Date.now() - start;
    await pause(10);
  }
  throw new Error(`${jti}/${sid} was not revoked within ${timeoutMs} ms`);
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

function channelCases(fresh: () => Promise<RevocationStoreSubject>, maxStaleness: number): void {
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

function unreachableCases(
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
