// The API-key store's scripts. Every key of one store carries the same hash tag (the key
// prefix in braces), so on a Cluster each script runs on one node. Keys:
//   {<prefix>}:k:<id>      hash: the record (fields in codec.ts); PEXPIREAT its end + retention
//   {<prefix>}:o:<owner>   sorted set: the owner's key ids by createdAt
//   {<prefix>}:seq         the sequence of invalidations (never expires)
// Channels: {<prefix>}:events ("i <seq> <id>" for each revocation or rotation) and one
// {<prefix>}:hb:<instance> per store instance (its heartbeats, HEARTBEAT_SCRIPT of the
// revocation store: "h <seq> <token>"). Times are Redis TIME (ms).
import { nowFrom } from '../lua-parts.js';

export { HEARTBEAT_SCRIPT } from '../revocation/lua.js';

/**
 * KEYS: record, owner index. ARGV: id, createdAt, pexpireat ('' for none), then the
 * record's field/value pairs. Answers 0 when the id exists (nothing written), else 1.
 */
export const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
if ARGV[3] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`;

/**
 * KEYS: owner index. ARGV: the record key's head ("{<prefix>}:k:"). Answers the owner's
 * records oldest first, each as its HGETALL list; ids whose record is gone (reclaimed) are
 * dropped from the index.
 */
export const LIST_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local fields = redis.call('HGETALL', ARGV[1] .. id)
  if #fields == 0 then redis.call('ZREM', KEYS[1], id) else out[#out + 1] = fields end
end
return out
`;

/** Keeps a record `keep` ms at most (never lengthens a shorter life). */
const KEEP_AT_MOST = `
local function keep_at_most(key, keep)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or ttl > keep then redis.call('PEXPIRE', key, math.max(1, keep)) end
end
local function announce(id)
  local seq = redis.call('INCR', KEYS[#KEYS])
  redis.call('PUBLISH', ARGV[3], 'i ' .. seq .. ' ' .. id)
end
`;

/**
 * KEYS: record, seq. ARGV: "1" to check the owner (else "0"), owner, events channel,
 * retention (ms), id. Revokes at Redis TIME unless revoked already, announcing it in the
 * same atomic step; answers the record's HGETALL, or nil (no such key of that owner).
 */
export const REVOKE_SCRIPT = `
${nowFrom('nil')}
${KEEP_AT_MOST}
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if ARGV[1] == '1' and redis.call('HGET', KEYS[1], 'o') ~= ARGV[2] then return nil end
if redis.call('HGET', KEYS[1], 'r') == '' then
  redis.call('HSET', KEYS[1], 'r', now)
  keep_at_most(KEYS[1], tonumber(ARGV[4]))
  announce(ARGV[5])
end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * KEYS: old record, new record, the new record's owner index, seq. ARGV: "1" to check the
 * owner, owner, events channel, retention, overlap (ms), new id, new createdAt, new
 * pexpireat ('' none), then the new record's field/value pairs. Refuses (changing nothing)
 * a missing, revoked, expired or already rotated key, or a new id that exists; otherwise
 * creates the new record and ends the old one after the overlap (0: revoked now), never
 * past its own expiry, and announces it. Answers { 'ok', HGETALL old } or { reason }.
 */
export const ROTATE_SCRIPT = `
${nowFrom('nil')}
${KEEP_AT_MOST}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'not_found' } end
local f = redis.call('HMGET', KEYS[1], 'o', 'r', 'x', 'rp')
if ARGV[1] == '1' and f[1] ~= ARGV[2] then return { 'not_found' } end
if f[2] ~= '' then return { 'revoked' } end
if f[3] ~= '' and tonumber(f[3]) <= now then return { 'expired' } end
if f[4] ~= '' then return { 'rotated' } end
if redis.call('EXISTS', KEYS[2]) == 1 then return { 'conflict' } end
redis.call('HSET', KEYS[2], unpack(ARGV, 9))
if ARGV[8] ~= '' then redis.call('PEXPIREAT', KEYS[2], ARGV[8]) end
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[6])
local overlap = tonumber(ARGV[5])
local ends = now
if overlap == 0 then
  redis.call('HSET', KEYS[1], 'r', now, 'rp', ARGV[6])
else
  ends = now + overlap
  if f[3] ~= '' and tonumber(f[3]) <= ends then ends = tonumber(f[3]) else redis.call('HSET', KEYS[1], 'x', ends) end
  redis.call('HSET', KEYS[1], 'rp', ARGV[6])
end
keep_at_most(KEYS[1], ends - now + tonumber(ARGV[4]))
announce(redis.call('HGET', KEYS[1], 'id'))
return { 'ok', redis.call('HGETALL', KEYS[1]) }
`;

/** KEYS: record. ARGV: the least interval (ms). Sets lastUsedAt to Redis TIME unless it is younger. */
export const TOUCH_SCRIPT = `
${nowFrom('nil')}
local used = redis.call('HGET', KEYS[1], 'u')
if not used then return 0 end
if used == '' or now - tonumber(used) >= tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'u', now) end
return 1
`;

/**
 * KEYS: record. ARGV: cost. The Lua twin of spendCredits (@bulwark/api-keys): any refill
 * due, then the cost if it fits. Answers nil (no such key), { 0 } (no credits), or
 * { 1, ok, remaining }.
 */
export const CREDITS_SCRIPT = `
${nowFrom('nil')}
local c = redis.call('HMGET', KEYS[1], 'cr', 'ct', 'ce', 'ca')
if not c[1] then return nil end
if c[1] == '' then return { 0 } end
local remaining, refill_to, every, at = tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4])
if every > 0 and now >= at + every then
  at = at + math.floor((now - at) / every) * every
  remaining = math.max(remaining, refill_to)
end
local cost = tonumber(ARGV[1])
local ok = 0
if remaining >= cost then
  remaining = remaining - cost
  ok = 1
end
redis.call('HSET', KEYS[1], 'cr', remaining, 'ca', at)
return { 1, ok, remaining }
`;
