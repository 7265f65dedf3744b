import type pg from 'pg';

/**
 * The baseline of `postgres.refresh.rotate`: the same rotation (the live token spent and
 * kept for reuse detection, the child made live, the idle expiry moved, the sealed child
 * kept for the grace window, all on the database's clock under the family's row lock)
 * hand-written as one statement, sent with `pool.query` and nothing around it. Unqualified
 * names: the bench pool's `search_path` is the bench schema.
 */
export const BASELINE_ROTATE = `WITH now_ms AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t),
f AS (
  SELECT r.family_id, r.live_hash, r.generation, r.absolute_expires_at, r.idle_expires_at, r.reclaim_at
  FROM refresh_families r, now_ms
  WHERE r.family_id = $1 AND r.live_hash = $2 AND NOT r.revoked
    AND r.idle_expires_at > now_ms.t AND r.absolute_expires_at > now_ms.t
  FOR UPDATE OF r
),
spent AS (
  INSERT INTO refresh_spent (family_id, hash, generation) SELECT family_id, live_hash, generation FROM f
)
UPDATE refresh_families r SET
  live_hash = $3, generation = f.generation + 1,
  idle_expires_at = least(now_ms.t + $6, f.absolute_expires_at),
  reclaim_at = f.reclaim_at + (least(now_ms.t + $6, f.absolute_expires_at) - f.idle_expires_at),
  grace_hash = f.live_hash, grace_sealed = $4, grace_spent_at = now_ms.t, grace_ms = $5
FROM f, now_ms WHERE r.family_id = f.family_id
RETURNING r.generation, r.idle_expires_at, r.absolute_expires_at, r.subject, r.client_id, r.scopes, now_ms.t AS now`;

/** Counts the statements the pool's clients send (one statement = one round trip). */
export function countStatements(pool: pg.Pool): () => number {
  let count = 0;
  const seen = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      count += 1;
      return query(...args);
    };
  });
  return () => count;
}
