import { type ApiKeyRecord, type ApiKeyStore, generateApiKeyParts } from '@bulwark/api-keys';

/** A store under test, with what the suite may do to it beyond the port. */
export interface ApiKeyStoreSubject {
  readonly store: ApiKeyStore;
  close(): Promise<void>;
  /** Another instance on the same namespace with its own connections: another process's store, in this one. */
  peer?(): Promise<ApiKeyStoreSubject>;
  /** Revokes `id` from a separate OS process on the same namespace; resolves with that process's clock (epoch ms) right after. */
  revokeFromOtherProcess?(id: string): Promise<number>;
}

export const HOUR = 3_600_000;
/** Scheduling slack over a time the store took (a shared 2-core machine). */
export const SLACK_MS = 2000;
let sequence = 0;
export const unique = (what: string) => `${what}-${Date.now().toString(36)}-${++sequence}`;
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Owner ids, names and metadata a store must give back exactly (separators, braces, line breaks, non-ASCII). */
export const AWKWARD = ['a b', 'x:y:z', '{tag}', 'line\nbreak', 'ünï-çødé ✓', '*', 'i 5 x', '"quoted"'];

/** A record as the manager would create it (the digest is a placeholder: stores never read it). */
export function testRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const { id } = generateApiKeyParts('bwk', 'live');
  const now = Date.now();
  return {
    id,
    hash: `sha256:${'ab'.repeat(32)}`,
    ownerId: unique('owner'),
    name: 'a key',
    environment: 'live',
    start: `bwk_live_${id}`,
    scopes: ['notes:read', 'notes:write'],
    metadata: { team: 'core', n: 3, on: true, none: null },
    createdAt: now,
    expiresAt: now + HOUR,
    revokedAt: null,
    lastUsedAt: null,
    replacedBy: null,
    credits: null,
    ...overrides,
  };
}

export async function withSubject(
  fresh: () => Promise<ApiKeyStoreSubject>,
  body: (subject: ApiKeyStoreSubject) => Promise<void>,
): Promise<void> {
  const subject = await fresh();
  try {
    await body(subject);
  } finally {
    await subject.close();
  }
}

/** Resolves once the store's invalidations are trusted (the channel proven), failing after `timeoutMs`. */
export async function untilTrusted(store: ApiKeyStore, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!store.invalidations.trusted) {
    if (Date.now() > deadline) throw new Error(`the store's invalidations were not trusted within ${timeoutMs} ms`);
    await pause(10);
  }
}

/** Resolves once the store's invalidations told `id` (or "every key"), with when (epoch ms); fails after `timeoutMs`. */
export function heard(store: ApiKeyStore, id: string, timeoutMs = 1000): { readonly done: Promise<number> } {
  let unsubscribe = () => {};
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no invalidation of ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    unsubscribe = store.invalidations.subscribe((heardId) => {
      if (heardId !== id && heardId !== undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(Date.now());
    });
  });
  // A case that fails before awaiting it must not leave an unhandled rejection behind.
  done.catch(() => {});
  return { done };
}
