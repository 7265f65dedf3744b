import type { JWK } from 'jose';
import type { SigningKey, VerificationKey } from '../keys.js';
import type { KeyMaterial } from './material.js';
import { type KeyPhase, phases, plan, type ScheduleTimes } from './schedule.js';
import type { KeyringRecord } from './store.js';

/**
 * What a process knows of its keyring: the records of its last load, and their phases at
 * one instant. Rebuilt from the same records when a phase changes (a key starts signing,
 * one retires: pure functions of the records and the time, no store call), reloaded from
 * the store every `refreshEvery`.
 */
export interface View {
  readonly records: readonly KeyringRecord[];
  readonly phases: readonly KeyPhase[];
  readonly active: SigningKey;
  readonly byKid: ReadonlyMap<string, { readonly key: VerificationKey; readonly verifyUntil: number }>;
  readonly jwks: readonly JWK[];
  /** Local time of the load from the store (kept by a rebuild). */
  readonly loadedAt: number;
  /** Store time minus local time. */
  readonly offset: number;
  /** The next instant (store ms) a phase changes: the view is rebuilt then. */
  readonly changesAt: number;
  /** A new key is due (the store must be asked to create it). */
  readonly creationDue: boolean;
}

/** The view at store time `now`; every live record's material must be in `materials`. */
export function buildView(
  records: readonly KeyringRecord[],
  now: number,
  materials: ReadonlyMap<string, KeyMaterial>,
  times: ScheduleTimes,
  loadedAt: number,
  offset: number,
): View | undefined {
  const live = phases(records, now, times.retireAfter).filter((p) => p.state !== 'retired');
  const made = live.map((p) => materials.get(p.record.kid));
  const active = live.findIndex((p) => p.state === 'active');
  if (active < 0 || made.some((m) => m === undefined)) return undefined;
  const changes = [Infinity];
  for (const p of live) {
    if (p.record.activatesAt > now) changes.push(p.record.activatesAt);
    if (p.verifyUntil > now) changes.push(p.verifyUntil);
  }
  const head = records[records.length - 1] as KeyringRecord;
  const due = head.activatesAt + times.rotateEvery - times.publishAhead;
  if (due > now) changes.push(due);
  const materialOf = (i: number) => made[i] as KeyMaterial;
  return {
    records,
    phases: live,
    active: materialOf(active).signing,
    byKid: new Map(live.map((p, i) => [p.record.kid, { key: materialOf(i).verification, verifyUntil: p.verifyUntil }])),
    jwks: made.flatMap((m) => (m?.jwk === undefined ? [] : [m.jwk])),
    loadedAt,
    offset,
    changesAt: Math.min(...changes),
    creationDue: plan(records, now, times).create !== undefined,
  };
}
