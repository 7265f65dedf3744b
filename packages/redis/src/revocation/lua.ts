// The revocation store's scripts. Every key of one store carries the same hash tag (the
// key prefix in braces), so on a Cluster each script runs on one node, and the one
// sequence counter orders every revocation of the store. Keys:
//   {<prefix>}:j:<jti>, {<prefix>}:s:<sid>  "until" (epoch ms), PX = the remaining life
//   {<prefix>}:index                        sorted set "j<jti>" / "s<sid>" by until (resync)
//   {<prefix>}:seq                          the sequence of revocations (never expires)
// Channels: {<prefix>}:events (every revocation, with its sequence number) and one
// {<prefix>}:hb:<instance> per store instance (its own heartbeats).
import { nowFrom } from '../lua-parts.js';

/**
 * KEYS: seq, index, entry. ARGV: kind letter (j or s), id, until, events channel.
 * Records the revocation with a TTL of its remaining life (never shortening one that
 * holds longer), indexes it, drops expired index entries, numbers it and announces it,
 * in one atomic step: a revocation is never stored without its announcement, nor
 * announced out of order. Answers { seq, now }; seq 0 when until has passed (nothing kept).
 */
export const REVOKE_SCRIPT = `
${nowFrom('nil')}
local untilMs = tonumber(ARGV[3])
if untilMs <= now then return { 0, now } end
local remaining = untilMs - now
if redis.call('PTTL', KEYS[3]) < remaining then
  redis.call('SET', KEYS[3], ARGV[3], 'PX', remaining)
end
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[1] .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('PTTL', KEYS[2]) < remaining then redis.call('PEXPIRE', KEYS[2], remaining) end
local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[4], 'r ' .. seq .. ' ' .. ARGV[1] .. ' ' .. ARGV[3] .. ' ' .. ARGV[2])
return { seq, now }
`;

/**
 * KEYS: seq, index. ARGV: the most entries the caller can hold. Answers { seq, now, count }
 * and, when count fits, the live entries (member, until, ...) as of seq: the snapshot a
 * store rebuilds its local view from.
 */
export const SNAPSHOT_SCRIPT = `
${nowFrom('nil')}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local count = redis.call('ZCARD', KEYS[2])
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > tonumber(ARGV[1]) then return { seq, now, count } end
return { seq, now, count, redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES') }
`;

/**
 * KEYS: seq. ARGV: the instance's heartbeat channel, a token. Publishes "h <seq> <token>":
 * received in order on the instance's subscriber, it proves every revocation up to seq
 * has been delivered. Answers seq.
 */
export const HEARTBEAT_SCRIPT = `
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('PUBLISH', ARGV[1], 'h ' .. seq .. ' ' .. ARGV[2])
return seq
`;
