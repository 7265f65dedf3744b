import type { Algorithm } from '@bulwark/ratelimit';
import { expiredIf, nowFrom, PRELUDE } from './lua-parts.js';

export { FIXED_WINDOW_REFUND_SCRIPT, REFUND_SCRIPT, RESET_SCRIPT } from './lua-admin.js';

/**
 * The Lua twins of `@bulwark/ratelimit`'s algorithms. Sliding window, token bucket and GCRA
 * share one layout (a string per key, below); fixed window has its own (FIXED_WINDOW). Each
 * script checks every key of one
 * request (all in one hash slot) in one round trip: it reads all states, decides
 * all-or-nothing, then writes. Time comes from Redis `TIME` unless ARGV[1] overrides it
 * (tests). Numbers stay integral, so Lua's string conversion (`%.14g`) is exact.
 *
 * ARGV[1]: "now cost commit [deadline]" (now empty for Redis TIME; commit 1 consume, 0
 * peek; deadline in Redis time, see EXPIRED); then "limit window block" per key. Packed
 * strings: fewer arguments to encode per call.
 * Reply: now, allowedAll, then allowed, remaining, resetMs, retryAfterMs per key.
 */
/** One key (most requests): the same rules as DECIDE below, without its tables. */
const DECIDE_ONE = `
if #KEYS == 1 then
  local sl, sw, sb = string.match(ARGV[2], '^(%d+) (%d+) (%d+)$')
  local limit, window, block = tonumber(sl), tonumber(sw), tonumber(sb)
  local value = redis.call('GET', KEYS[1])
  local has, a, b, c, blocked = false, 0, 0, 0, 0
  local sa, sb, sc = '-', 0, 0
  if value then
    local sk
    sa, sb, sc, sk = string.match(value, '^(%S+) (%S+) (%S+) (%S+)$')
    blocked = tonumber(sk)
    if sa ~= '-' then
      has = true
      a, b, c = tonumber(sa), tonumber(sb), tonumber(sc)
    end
  end
  local ok, n1, n2, n3, rem, reset, retry, ttl = step(has, a, b, c, now, cost, limit, window)
  if blocked > now then
    return { now, 0, 0, 0, math.max(reset, blocked - now), blocked - now }
  end
  if commit then
    if ok then
      redis.call('SET', KEYS[1], n1 .. ' ' .. n2 .. ' ' .. n3 .. ' ' .. blocked, 'PX', math.max(MIN_TTL, ttl))
    elseif block > 0 then
      redis.call('SET', KEYS[1], sa .. ' ' .. sb .. ' ' .. sc .. ' ' .. (now + block), 'PX', math.max(MIN_TTL, block, ttl))
      return { now, 0, 0, 0, block, block }
    end
  end
  local flag = ok and 1 or 0
  return { now, flag, flag, rem, reset, retry }
end
`;

const DECIDE = `
local n = #KEYS
local ok, nx1, nx2, nx3, rem, reset, retry, ttl, blocked, blocks = {}, {}, {}, {}, {}, {}, {}, {}, {}, {}
local states, limits, windows = {}, {}, {}
local allowed = true
for i = 1, n do
  local sl, sw, sb = string.match(ARGV[i + 1], '^(%d+) (%d+) (%d+)$')
  local limit = tonumber(sl)
  local window = tonumber(sw)
  limits[i], windows[i] = limit, window
  blocks[i] = tonumber(sb)
  -- One string per key: "a b c k" (state, then blocked-until); "-" for a key with a block only.
  local value = redis.call('GET', KEYS[i])
  local has, a, b, c = false, 0, 0, 0
  blocked[i] = 0
  if value then
    local sa, sb, sc, sk = string.match(value, '^(%S+) (%S+) (%S+) (%S+)$')
    blocked[i] = tonumber(sk)
    if sa ~= '-' then
      has = true
      a, b, c = tonumber(sa), tonumber(sb), tonumber(sc)
    end
    nx1[i], nx2[i], nx3[i] = sa, sb, sc
  end
  states[i] = { has, a, b, c }
  local ok_i, n1, n2, n3
  ok_i, n1, n2, n3, rem[i], reset[i], retry[i], ttl[i] = step(has, a, b, c, now, cost, limit, window)
  ok[i] = ok_i
  if ok_i and blocked[i] <= now then nx1[i], nx2[i], nx3[i] = n1, n2, n3 end
  if blocked[i] > now then
    ok[i] = false
    rem[i] = 0
    reset[i] = math.max(reset[i], blocked[i] - now)
    retry[i] = blocked[i] - now
  end
  if not ok[i] then allowed = false end
end
if not allowed then
  -- Nothing is consumed: a limit that would have allowed reports its state as it stays.
  for i = 1, n do
    if ok[i] then
      local s = states[i]
      local _, _, _, _, idle_rem, idle_reset = step(s[1], s[2], s[3], s[4], now, 0, limits[i], windows[i])
      rem[i] = idle_rem
      reset[i] = idle_reset
    end
  end
end
local reply = { now, allowed and 1 or 0 }
for i = 1, n do
  if commit then
    -- SET ... PX replaces the TTL with exactly how long this state matters.
    if allowed then
      redis.call('SET', KEYS[i], nx1[i] .. ' ' .. nx2[i] .. ' ' .. nx3[i] .. ' ' .. blocked[i], 'PX', math.max(MIN_TTL, ttl[i]))
    elseif blocks[i] > 0 and blocked[i] <= now and not ok[i] then
      local kept = nx1[i] or '-'
      redis.call('SET', KEYS[i], kept .. ' ' .. (nx2[i] or 0) .. ' ' .. (nx3[i] or 0) .. ' ' .. (now + blocks[i]), 'PX', math.max(MIN_TTL, blocks[i], ttl[i]))
      rem[i] = 0
      reset[i] = blocks[i]
      retry[i] = blocks[i]
    end
  end
  reply[#reply + 1] = ok[i] and 1 or 0
  reply[#reply + 1] = rem[i]
  reply[#reply + 1] = reset[i]
  reply[#reply + 1] = retry[i]
end
return reply
`;

const STEPS = {
  'sliding-window': `
local function step(has, a, b, c, now, cost, limit, window)
  local start = now - (now % window)
  local cur, prev = 0, 0
  if has then
    if a == start then cur = b; prev = c
    elseif a == start - window then prev = b end
  end
  local elapsed = now - start
  local budget = limit * window
  local carried = prev * (window - elapsed)
  local ok = carried + (cur + cost) * window <= budget
  local used = cur
  if ok then used = cur + cost end
  local reset = window - elapsed
  local retry = 0
  if not ok then
    local room = limit - cur - cost
    if room >= 0 and prev > 0 then
      retry = math.max(1, window - math.floor((room * window) / prev) - elapsed)
    else
      retry = reset
    end
  end
  return ok, start, used, prev, math.max(0, math.floor((budget - carried - used * window) / window)), reset, retry, 2 * window - elapsed
end
`,
  'token-bucket': `
local function step(has, a, b, c, now, cost, limit, window)
  local capacity = limit * window
  local units = capacity
  if has then units = math.min(capacity, a + math.max(0, now - b) * limit) end
  local need = cost * window
  local ok = units >= need
  local left = units
  if ok then left = units - need end
  local reset = math.ceil((capacity - left) / limit)
  local retry = 0
  if not ok then retry = math.ceil((need - units) / limit) end
  return ok, left, now, 0, math.floor(left / window), reset, retry, math.max(1, reset)
end
`,
  gcra: `
local function step(has, a, b, c, now, cost, limit, window)
  local tat, rem = now, 0
  if has and a >= now then tat = a; rem = b end
  local total = rem + cost * window
  local nextMs = tat + math.floor(total / limit)
  local nextRem = total % limit
  local horizon = now + window
  local ok = nextMs < horizon or (nextMs == horizon and nextRem == 0)
  local storedMs, storedRem = tat, rem
  if ok then storedMs = nextMs; storedRem = nextRem end
  local reset = storedMs - now
  if storedRem > 0 then reset = reset + 1 end
  local retry = 0
  if not ok then
    retry = nextMs - horizon
    if nextRem > 0 then retry = retry + 1 end
  end
  return ok, storedMs, storedRem, 0, math.max(0, math.floor(((horizon - storedMs) * limit - storedRem) / window)), reset, retry, math.max(1, reset)
end
`,
} as const;

/**
 * Fixed window, the default and the hot path, has a layout of its own: one hash per limit
 * with the field `<window start>` = count and the field `b` = blocked until (ms). Counting
 * is one `HINCRBY` (no parsing, no formatting), the previous window's field is dropped when
 * a new window starts, and `DEL` forgets a key whatever its window.
 *
 * ARGV: cost, then limit, window, block per key, then three optional arguments: now (absent
 * or '' for Redis TIME), '0' for a peek (absent or '1': consume) and the deadline (see
 * expiredIf).
 *
 * The commonest call (one limit below 2^20, cost 1, no block, Redis time, a consume) is
 * compact: its arguments are only limit and window, as each argument costs the client
 * about 100 ns to encode and Redis about as much (a full call always has at least four),
 * and it runs first, before anything the other calls need. Its deadline, when it has one,
 * rides in the limit's argument, limit + 2^20 * (1 + deadline mod 2^32), which no limit
 * below 2^20 can be: the script compares it with the `TIME` it reads anyway, modulo
 * 2^32 ms (exact while the deadline is within 24 days of Redis's now). Its reply is one integer, count * 2^32 + (now mod 2^32): a Lua table
 * reply costs Redis about 1 us to convert (it probes the table for `err`, `ok` and the
 * RESP3 type fields) and the client more to parse. The client restores the high bits of
 * `now` from its own clock, which is exact while the two clocks differ by less than 2^31 ms
 * (24 days); the decision itself is Redis's alone. A count of 2^21 or more would not fit
 * in a double's 53 bits, so it answers the table below instead.
 *
 * Reply otherwise: now, then per key the state before this request: its count and the end
 * of a running block (0: none; one key without a running block answers only now and its
 * count). The client decides the outcomes from these with the memory store's own `decide`
 * (store.ts), so the rules that turn a state into an answer exist once.
 */
const FIXED_WINDOW = `
if #ARGV == 2 then
  -- The compact call: one limit, cost 1, no block, Redis time, a consume.
  local t = redis.call('TIME')
  local now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
  local limit = tonumber(ARGV[1])
  if limit >= 1048576 then
    -- limit + 2^20 * (1 + deadline mod 2^32): the deadline (see expiredIf) rides with the
    -- limit. Expired when now is at or past it, modulo 2^32 ms (within 24 days).
    local packed = limit
    limit = packed % 1048576
    local deadline = (packed - limit) / 1048576 - 1
    if (now - deadline) % 4294967296 < 2147483648 then return { now, -1 } end
  end
  local window = tonumber(ARGV[2])
  local start = now - now % window
  local n = redis.call('HINCRBY', KEYS[1], start, 1)
  if n == 1 then
    -- A new window (as count_window below).
    redis.call('HDEL', KEYS[1], start - window)
    redis.call('PEXPIRE', KEYS[1], math.max(1000, start + window - now))
  end
  -- Refused: take the count back (as below).
  if n > limit then redis.call('HINCRBY', KEYS[1], start, -1) end
  if n <= 2097152 then return (n - 1) * 4294967296 + now % 4294967296 end
  return { now, n - 1 }
end

local keys = #KEYS
local cost = tonumber(ARGV[1])
${nowFrom('ARGV[3 * keys + 2]')}
local commit = ARGV[3 * keys + 3] ~= '0'
${expiredIf('ARGV[3 * keys + 4]')}-- Keys live at least a second (see PRELUDE).
local MIN_TTL = 1000

local function count_window(key, start, window)
  local n = redis.call('HINCRBY', key, start, cost)
  if n == cost then
    -- A new window: drop the previous one and live until this one ends. A running block
    -- cannot be cut short here: a blocked key never reaches this point.
    redis.call('HDEL', key, start - window)
    redis.call('PEXPIRE', key, math.max(MIN_TTL, start + window - now))
  end
  return n
end
local function start_block(key, block, rest)
  redis.call('HSET', key, 'b', now + block)
  redis.call('PEXPIRE', key, math.max(MIN_TTL, block, rest))
end

if keys == 1 then
  local limit, window, block = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  if block > 0 then
    local until_ms = tonumber(redis.call('HGET', KEYS[1], 'b') or 0)
    if until_ms > now then return { now, 0, until_ms } end
  end
  local start = now - now % window
  if not commit then return { now, tonumber(redis.call('HGET', KEYS[1], start) or 0) } end
  local n = count_window(KEYS[1], start, window)
  if n <= limit then return { now, n - cost } end
  -- Refused: take the count back (atomic: nothing runs between the two). 0 - cost, not
  -- -cost: Lua formats -0 as "-0", which HINCRBY refuses.
  redis.call('HINCRBY', KEYS[1], start, 0 - cost)
  if block > 0 then start_block(KEYS[1], block, start + window - now) end
  return { now, n - cost }
end

local limits, windows, blocks, starts, counts, blocked = {}, {}, {}, {}, {}, {}
local allowed = true
for i = 1, keys do
  local j = 3 * i
  limits[i], windows[i], blocks[i] = tonumber(ARGV[j - 1]), tonumber(ARGV[j]), tonumber(ARGV[j + 1])
  starts[i] = now - now % windows[i]
  counts[i] = tonumber(redis.call('HGET', KEYS[i], starts[i]) or 0)
  blocked[i] = 0
  if blocks[i] > 0 then
    local until_ms = tonumber(redis.call('HGET', KEYS[i], 'b') or 0)
    if until_ms > now then blocked[i] = until_ms end
  end
  if blocked[i] > 0 or counts[i] + cost > limits[i] then allowed = false end
end
local reply = { now }
for i = 1, keys do
  if commit then
    if allowed then
      count_window(KEYS[i], starts[i], windows[i])
    elseif blocks[i] > 0 and blocked[i] == 0 and counts[i] + cost > limits[i] then
      start_block(KEYS[i], blocks[i], starts[i] + windows[i] - now)
    end
  end
  reply[2 * i] = counts[i]
  reply[2 * i + 1] = blocked[i]
end
return reply
`;

/** The check script of each algorithm (its SHA is pinned by a test). */
export const CHECK_SCRIPTS: Readonly<Record<Algorithm, string>> = Object.freeze({
  'fixed-window': FIXED_WINDOW,
  'sliding-window': PRELUDE + STEPS['sliding-window'] + DECIDE_ONE + DECIDE,
  'token-bucket': PRELUDE + STEPS['token-bucket'] + DECIDE_ONE + DECIDE,
  gcra: PRELUDE + STEPS.gcra + DECIDE_ONE + DECIDE,
});
