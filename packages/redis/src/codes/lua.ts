// The authorization-code store's scripts: one per operation, each on the one hash of a
// code, `<prefix>:<code hash>` (one key per script: Cluster-safe whatever the slot).
// Fields: r = the record (JSON), e = expiry (epoch ms, Redis TIME), u = used (0/1),
// x = presented again after its use (0/1). The key's PEXPIRE is the same TTL, so Redis
// reclaims it; `e` makes the answer exact to the millisecond on Redis's own clock.
import { nowFrom } from '../lua-parts.js';

/** ARGV: record JSON, ttl ms. Answers { now, saved (1) or 0 when a live code has this hash }. */
export const CODE_SAVE_SCRIPT = `
${nowFrom('nil')}
local expires = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
if expires > now then return { now, 0 } end
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'e', now + ttl, 'u', '0', 'x', '0')
redis.call('PEXPIRE', KEYS[1], ttl)
return { now, 1 }
`;

/**
 * The one use. Answers { now, 'unknown' } for a missing or expired code; { now, 'reused',
 * record } for a used one (marking x = 1); else marks it used: { now, 'redeemed', record }.
 */
export const CODE_REDEEM_SCRIPT = `
${nowFrom('nil')}
local v = redis.call('HMGET', KEYS[1], 'r', 'e', 'u')
if not v[1] or tonumber(v[2]) <= now then return { now, 'unknown' } end
if v[3] == '1' then
  redis.call('HSET', KEYS[1], 'x', '1')
  return { now, 'reused', v[1] }
end
redis.call('HSET', KEYS[1], 'u', '1')
return { now, 'redeemed', v[1] }
`;

/** Answers { now, 1 } when a live code was presented again after its use, else { now, 0 }. */
export const CODE_REUSED_SCRIPT = `
${nowFrom('nil')}
local v = redis.call('HMGET', KEYS[1], 'e', 'x')
if not v[1] or tonumber(v[1]) <= now then return { now, 0 } end
if v[2] == '1' then return { now, 1 } end
return { now, 0 }
`;
