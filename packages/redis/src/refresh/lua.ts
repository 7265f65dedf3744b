// The refresh-token store's scripts, one per operation of the port (one round trip each).
// Every key of one user carries the hash tag {<subject tag>} (the first 8 characters of
// each family id), so on a Cluster a user's families, their index and their grace entries
// share one slot: the per-user cap and revoke-all stay atomic. Keys (see keys.ts):
//   <p>:{<tag>}:f:<familyId>  hash: l (live hash), g (generation), c (created), a (absolute
//                             expiry), i (idle expiry), r (1 revoked), sub, cli, sco (scopes
//                             as JSON), and s:<hash> = generation of each spent token.
//                             PEXPIREAT = the family's end (idle expiry, never past the
//                             absolute one) + the retention: spent hashes live no longer.
//   <p>:{<tag>}:g:<familyId>  hash: h (the token spent by the last rotation), t (spentAt),
//                             m (that rotation's graceMs), s (the sealed child). PX = graceMs
//                             + 1 s: the sealed child is gone soon after its window.
//   <p>:{<tag>}:u:<sha256(subject)>  sorted set of the subject's family ids in creation
//                             order (score: max(now, last + 1), so ties in one ms keep
//                             their order); PEXPIREAT = the latest absolute expiry in it.
// Times are Redis `TIME` in ms. Numbers stay below 2^53 and print exactly (13 digits).

/** `now` (ms) from Redis `TIME`. */
const NOW = `
local t = redis.call('TIME')
local now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
`;

/**
 * Whether the family with fields r, a, i, sub (an HMGET answer) is a live family of
 * `subject` at `now`. A family reclaimed by its TTL answers false fields: not live.
 */
const IS_LIVE = `
local function is_live(s, subject)
  return s[4] == subject and s[1] == '0' and now < tonumber(s[2]) and now < tonumber(s[3])
end
`;

/**
 * KEYS: family, subject index, the family-key prefix (`<p>:{<tag>}:f:`), the grace-key
 * prefix (`<p>:{<tag>}:g:`). ARGV: familyId, subject, clientId, scopes JSON, token hash,
 * absolute ms, idle ms, maxFamilies, retention ms.
 * Answers { -1, now } when the family exists (a conflict, nothing written), else
 * { 0, now, absoluteExpiresAt, idleExpiresAt, evicted... } (oldest first).
 */
export const CREATE_FAMILY_SCRIPT = `${NOW}${IS_LIVE}
if redis.call('EXISTS', KEYS[1]) == 1 then return { -1, now } end
local abs = now + tonumber(ARGV[6])
local idle = math.min(now + tonumber(ARGV[7]), abs)
redis.call('HSET', KEYS[1], 'l', ARGV[5], 'g', 0, 'c', now, 'a', abs, 'i', idle, 'r', 0,
  'sub', ARGV[2], 'cli', ARGV[3], 'sco', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], idle + tonumber(ARGV[9]))
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local order = now
if last[2] then order = math.max(now, tonumber(last[2]) + 1) end
redis.call('ZADD', KEYS[2], order, ARGV[1])
-- The subject's live families, oldest first; ended, revoked and reclaimed ones leave the index.
local live = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if is_live(redis.call('HMGET', KEYS[3] .. id, 'r', 'a', 'i', 'sub'), ARGV[2]) then
    live[#live + 1] = id
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
local reply = { 0, now, abs, idle }
-- The new family is the last one: with maxFamilies >= 1 it is never evicted.
for k = 1, #live - tonumber(ARGV[8]) do
  local id = live[k]
  redis.call('HSET', KEYS[3] .. id, 'r', 1)
  redis.call('DEL', KEYS[4] .. id)
  redis.call('ZREM', KEYS[2], id)
  reply[#reply + 1] = id
end
if redis.call('PEXPIRETIME', KEYS[2]) < abs then redis.call('PEXPIREAT', KEYS[2], abs) end
return reply
`;

/**
 * KEYS: family, grace entry. ARGV: presented hash, child hash, sealed child, graceMs,
 * idle ms, retention ms. The port's rules in their order; answers (code, now, ...):
 * 0 unknown, 1 revoked, 2 expired: { code, now }
 * 3 rotated: { 3, now, generation, idleExpiresAt, absoluteExpiresAt, sub, cli, sco }
 * 4 grace:   { 4, now, generation, sealedChild, idleExpiresAt, absoluteExpiresAt, sub, cli, sco }
 * 5 reused:  { 5, now, presented generation, sub, cli, sco }
 */
export const ROTATE_SCRIPT = `${NOW}
local f = redis.call('HMGET', KEYS[1], 'l', 'g', 'a', 'i', 'r', 'sub', 'cli', 'sco', 's:' .. ARGV[1])
local live = f[1]
if not live then return { 0, now } end
if f[5] == '1' then return { 1, now } end
local abs, idle, gen = tonumber(f[3]), tonumber(f[4]), tonumber(f[2])
if now >= abs or now >= idle then return { 2, now } end
if ARGV[1] == live then
  local grace = tonumber(ARGV[4])
  local next_idle = math.min(now + tonumber(ARGV[5]), abs)
  redis.call('HSET', KEYS[1], 'l', ARGV[2], 'g', gen + 1, 'i', next_idle, 's:' .. live, gen)
  redis.call('PEXPIREAT', KEYS[1], next_idle + tonumber(ARGV[6]))
  -- The grace entry is the last rotation's only: the previous one (if any) is replaced.
  if grace > 0 then
    redis.call('HSET', KEYS[2], 'h', live, 't', now, 'm', grace, 's', ARGV[3])
    redis.call('PEXPIRE', KEYS[2], grace + 1000)
  else
    redis.call('DEL', KEYS[2])
  end
  return { 3, now, gen + 1, next_idle, abs, f[6], f[7], f[8] }
end
-- A hash this family never issued: a guess changes nothing.
if not f[9] then return { 0, now } end
local g = redis.call('HMGET', KEYS[2], 'h', 't', 'm', 's')
if g[1] == ARGV[1] and now - tonumber(g[2]) <= tonumber(g[3]) then
  return { 4, now, gen, g[4], idle, abs, f[6], f[7], f[8] }
end
-- Any other spent token: reuse, the whole family is revoked.
redis.call('HSET', KEYS[1], 'r', 1)
redis.call('DEL', KEYS[2])
return { 5, now, tonumber(f[9]), f[6], f[7], f[8] }
`;

/** KEYS: family, grace entry. Answers 1 when it revoked a known, unrevoked family, else 0. */
export const REVOKE_FAMILY_SCRIPT = `
if redis.call('HGET', KEYS[1], 'r') ~= '0' then return 0 end
redis.call('HSET', KEYS[1], 'r', 1)
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * KEYS: subject index, the family-key prefix, the grace-key prefix. ARGV: subject.
 * Revokes the subject's live families; answers their ids, oldest first. The index is
 * emptied of every family that is no longer live (all of this subject's).
 */
export const REVOKE_SUBJECT_SCRIPT = `${NOW}${IS_LIVE}
local revoked = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local s = redis.call('HMGET', KEYS[2] .. id, 'r', 'a', 'i', 'sub')
  if is_live(s, ARGV[1]) then
    redis.call('HSET', KEYS[2] .. id, 'r', 1)
    redis.call('DEL', KEYS[3] .. id)
    revoked[#revoked + 1] = id
  end
  if s[4] == ARGV[1] or not s[4] then redis.call('ZREM', KEYS[1], id) end
end
return revoked
`;

/** KEYS: family. Answers { now } when unknown, else { now, g, c, a, i, r, sub, cli, sco }. */
export const GET_FAMILY_SCRIPT = `${NOW}
local f = redis.call('HMGET', KEYS[1], 'g', 'c', 'a', 'i', 'r', 'sub', 'cli', 'sco')
if not f[1] then return { now } end
return { now, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] }
`;
