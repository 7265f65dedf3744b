import type { KeyringRecord } from './store.js';

/**
 * The life of a key, from the records and the store's time alone (pure: every process
 * given the same records and time reaches the same answer, which is how they agree):
 * - `next`: created, published in the JWK Set, not signing yet (until `activatesAt`);
 * - `active`: the newest key whose `activatesAt` has passed: it signs;
 * - `verify-only`: superseded, still accepted until its successor has been active for
 *   `retireAfter` (the longest token lifetime);
 * - `retired`: no longer accepted nor published; dropped from the store at the next creation.
 */
export type KeyState = 'next' | 'active' | 'verify-only' | 'retired';

export interface KeyPhase {
  readonly record: KeyringRecord;
  readonly state: KeyState;
  /** Until when (store ms) a token signed with it verifies: Infinity while no successor is active. */
  readonly verifyUntil: number;
}

export interface ScheduleTimes {
  readonly rotateEvery: number;
  readonly publishAhead: number;
  readonly retireAfter: number;
}

export function phases(records: readonly KeyringRecord[], now: number, retireAfter: number): KeyPhase[] {
  let activeIndex = -1;
  for (let i = 0; i < records.length; i++) if ((records[i] as KeyringRecord).activatesAt <= now) activeIndex = i;
  return records.map((record, i) => {
    if (i > activeIndex)
      return { record, state: activeIndex < 0 && i === 0 ? 'active' : 'next', verifyUntil: Infinity };
    if (i === activeIndex) return { record, state: 'active', verifyUntil: Infinity };
    const verifyUntil = (records[i + 1] as KeyringRecord).activatesAt + retireAfter;
    return { record, state: now < verifyUntil ? 'verify-only' : 'retired', verifyUntil };
  });
}

export interface Plan {
  /** A key to create now, or undefined. */
  readonly create: { readonly generation: number; readonly activateAfter: number } | undefined;
  /** The lowest generation still needed: older records are retired. */
  readonly dropBelow: number;
}

/**
 * What is due at `now`: the first key (active at once: nobody can have cached a JWK Set
 * without it), or the successor of the newest key once that key has been active for
 * `rotateEvery - publishAhead`, so that the successor, published `publishAhead` before it
 * signs, takes over `rotateEvery` after its predecessor did (later when nobody used the
 * keyring at that time: creation happens on use, with no timers).
 */
export function plan(records: readonly KeyringRecord[], now: number, times: ScheduleTimes): Plan {
  const head = records[records.length - 1];
  const all = phases(records, now, times.retireAfter);
  const kept = all.find((p) => p.state !== 'retired');
  const dropBelow = kept === undefined ? 1 : kept.record.generation;
  if (head === undefined) return { create: { generation: 1, activateAfter: 0 }, dropBelow };
  const due = head.activatesAt <= now && now >= head.activatesAt + times.rotateEvery - times.publishAhead;
  return {
    create: due ? { generation: head.generation + 1, activateAfter: times.publishAhead } : undefined,
    dropBelow,
  };
}

/** A forced rotation: a successor now, unless one is already waiting to sign. */
export function forcedPlan(records: readonly KeyringRecord[], now: number, times: ScheduleTimes): Plan {
  const regular = plan(records, now, times);
  const head = records[records.length - 1];
  if (regular.create !== undefined || head === undefined || head.activatesAt > now) return regular;
  return {
    create: { generation: head.generation + 1, activateAfter: times.publishAhead },
    dropBelow: regular.dropBelow,
  };
}
