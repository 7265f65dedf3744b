import { BulwarkError, type Clock, ConfigError, type EventSink, emitEvent } from '@bulwark/core';
import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../keys.js';
import type { Keyring, KeyStatus } from './keyring-types.js';
import { generateKey, importKey, type KeyMaterial } from './material.js';
import { forcedPlan, type KeyPhase, phases, plan, type ScheduleTimes } from './schedule.js';
import { open, seal } from './seal.js';
import type { KeyringRecord, KeyringSnapshot, KeyringStore } from './store.js';
import { buildView, type View } from './view.js';

export interface RotatingConfig extends ScheduleTimes {
  readonly store: KeyringStore;
  readonly algorithm: SigningAlgorithm;
  readonly refreshEvery: number;
  readonly sealingKey: Promise<CryptoKey>;
  readonly clock: Clock;
  /** True when the user gave a clock: its time is passed to the store instead of the store's own. */
  readonly clockInjected: boolean;
  readonly onEvent: EventSink | undefined;
}

/** A failed refresh is retried at most this often (ms) while the loaded keys serve. */
const RETRY_MS = 1000;

/**
 * The rotating keyring. Every process keeps a view of the store and reloads it every
 * `refreshEvery` and whenever a key's phase changes; signing and verification answer from
 * the view synchronously in between. New keys are created on use (no timers): the process
 * that first finds a key due generates one and offers it to the store's compare-and-set;
 * the others get the winner's record in the same answer.
 */
export function rotatingKeyring(config: RotatingConfig): Keyring {
  const { store, clock } = config;
  const times: ScheduleTimes = config;
  const materials = new Map<string, KeyMaterial>();
  let view: View | undefined;
  let inflight: Promise<View> | undefined;
  let failedAt: number | undefined;
  const storeNow = () => (config.clockInjected ? clock.now() : undefined);

  async function material(record: KeyringRecord): Promise<KeyMaterial> {
    const known = materials.get(record.kid);
    if (known !== undefined) return known;
    const jwk = JSON.parse(await open(await config.sealingKey, record.kid, record.sealed)) as JWK;
    if (jwk.kid !== record.kid || jwk.alg !== record.alg) {
      throw new ConfigError('keyEncryptionKey', `the stored key "${record.kid}" does not match its record`);
    }
    const made = await importKey(record.kid, record.alg, jwk);
    materials.set(record.kid, made);
    return made;
  }

  async function createKey(snapshot: KeyringSnapshot, forced: boolean): Promise<KeyringSnapshot> {
    const decided = (forced ? forcedPlan : plan)(snapshot.records, snapshot.now, times);
    if (decided.create === undefined) return snapshot;
    const { kid, privateJwk } = await generateKey(config.algorithm);
    const sealed = await seal(
      await config.sealingKey,
      kid,
      JSON.stringify({ ...privateJwk, kid, alg: config.algorithm }),
    );
    const result = await store.create(
      { generation: decided.create.generation, kid, alg: config.algorithm, sealed },
      { activateAfter: decided.create.activateAfter, dropBelow: decided.dropBelow, now: storeNow() },
    );
    const record = result.records.find((r) => r.generation === decided.create?.generation);
    if (result.created && record !== undefined) {
      emitEvent(config.onEvent, {
        type: 'keyring.key_created',
        at: result.now,
        kid,
        alg: config.algorithm,
        generation: record.generation,
        activatesAt: record.activatesAt,
      });
    }
    return result;
  }

  async function load(forced: boolean): Promise<View> {
    let snapshot = await store.load(storeNow());
    // The first key, then a successor if that one is due too (never more than one per load:
    // a lost race answers the winner's record, which makes the plan due no more).
    snapshot = await createKey(snapshot, forced);
    snapshot = await createKey(snapshot, false);
    const now = snapshot.now;
    const live = phases(snapshot.records, now, times.retireAfter).filter((p) => p.state !== 'retired');
    await Promise.all(live.map((p) => material(p.record)));
    for (const kid of materials.keys()) if (!live.some((p) => p.record.kid === kid)) materials.delete(kid);
    const loadedAt = clock.now();
    const built = buildView(
      snapshot.records,
      now,
      materials,
      times,
      loadedAt,
      config.clockInjected ? 0 : now - loadedAt,
    );
    if (built === undefined) throw new BulwarkError('store_unavailable', 'the keyring store holds no active key');
    return built;
  }

  function refresh(forced: boolean): Promise<View> {
    if (inflight !== undefined && !forced) return inflight;
    const run = (inflight ?? Promise.resolve(view))
      .catch(() => undefined)
      .then(() => load(forced))
      .then(
        (loaded) => {
          view = loaded;
          failedAt = undefined;
          return loaded;
        },
        (error: unknown) => {
          failedAt = clock.now();
          emitEvent(config.onEvent, {
            type: 'keyring.store_failure',
            at: failedAt,
            errorName: error instanceof Error ? error.name : 'unknown',
            stale: view !== undefined && usable(view),
          });
          throw error instanceof BulwarkError
            ? error
            : new BulwarkError('store_unavailable', 'the keyring store failed', { cause: error });
        },
      )
      .finally(() => {
        if (inflight === run) inflight = undefined;
      });
    inflight = run;
    return run;
  }

  /**
   * A loaded view serves through store failures while it is younger than `publishAhead`:
   * within that time no key this process does not know can have started signing.
   */
  const usable = (v: View) => clock.now() - v.loadedAt < times.publishAhead;

  /** The view at this instant: rebuilt locally when a phase changed since it was built. */
  function now(v: View): View {
    const storeTime = clock.now() + v.offset;
    if (storeTime < v.changesAt) return v;
    const rebuilt = buildView(v.records, storeTime, materials, times, v.loadedAt, v.offset);
    if (rebuilt !== undefined && view === v) view = rebuilt;
    return rebuilt ?? v;
  }

  /** Whether the store should be asked again (its age, or a key to create), unless a failure is too recent. */
  const reloadDue = (v: View) =>
    (clock.now() - v.loadedAt >= config.refreshEvery || v.creationDue) &&
    (failedAt === undefined || clock.now() - failedAt >= RETRY_MS);

  /**
   * For the hot paths (signing, verifying): the current view at once, reloading in the
   * background when due; a wait only when there is no view or it is too old to trust.
   */
  function current(): View | Promise<View> {
    const v = view;
    if (v === undefined || !usable(v)) return refresh(false);
    const served = now(v);
    if (reloadDue(served)) refresh(false).catch(() => {});
    return served;
  }

  /** For `jwks()`, `status()` and unknown kids: waits for a due (or running) reload, falling back to the view. */
  async function settled(): Promise<View> {
    const v = view;
    if (v === undefined || !usable(v)) return refresh(false);
    const served = now(v);
    if (inflight === undefined && !reloadDue(served)) return served;
    try {
      return now(await refresh(false));
    } catch (error) {
      if (error instanceof ConfigError || view === undefined || !usable(view)) throw error;
      return now(view);
    }
  }

  const then = <T>(value: View | Promise<View>, f: (v: View) => T): T | Promise<T> =>
    value instanceof Promise ? value.then(f) : f(value);
  const lookup = (kid: string) => (v: View) => {
    const entry = v.byKid.get(kid);
    return entry !== undefined && clock.now() + v.offset < entry.verifyUntil ? entry.key : undefined;
  };
  /** A kid not in the view waits for a reload only if one is running (never starts one: made-up kids cost nothing). */
  const find = (kid: string) => (v: View) => {
    const found = lookup(kid)(v);
    if (found !== undefined || inflight === undefined) return found;
    return settled().then(lookup(kid));
  };

  return {
    signingKey: () => then(current(), (v) => v.active),
    key: (kid) => {
      const v = current();
      return v instanceof Promise ? v.then(lookup(kid)) : find(kid)(v);
    },
    jwks: async () => ({ keys: (await settled()).jwks.map((jwk) => ({ ...jwk })) }),
    rotate: async () => {
      const v = now(await refresh(true));
      const newest = v.phases[v.phases.length - 1] as KeyPhase;
      return { kid: newest.record.kid, activatesAt: newest.record.activatesAt };
    },
    status: async () =>
      (await settled()).phases.map(
        (p): KeyStatus => ({
          kid: p.record.kid,
          alg: p.record.alg,
          generation: p.record.generation,
          state: p.state,
          activatesAt: p.record.activatesAt,
          verifyUntil: p.verifyUntil,
        }),
      ),
  };
}
