// The lockout store's scripts: the twins of @bulwark/lockout's steps.ts and transitions.ts.
// One record per scope, a string "count windowEnd level lockedUntil levelUntil epoch"
// written with SET ... PX (the value and its TTL in one command: no key ever lives without
// a TTL). KEYS are one call's scopes, ARGV[2] their roles, one letter each: p (the pair),
// a (the account), i (the IP). A pair and its account share a hash tag, so they are always
// in one call; the IP is in its own slot (see store.ts).
// ARGV[1]: now ('' for Redis TIME); ARGV[3]: the account's clear horizon (ms); ARGV[3 + i]:
// key i's rule "attempts windowMs lockMs maxLockMs" (then " engagedLevel mode" for refund).
import { nowFrom } from '../lua-parts.js';

const COMMON = `
${nowFrom('ARGV[1]')}
local roles = ARGV[2]
local horizon = tonumber(ARGV[3])
local n = #KEYS
local st, rule, role = {}, {}, {}
local pair_i, acct_i = 0, 0
for i = 1, n do
  role[i] = string.sub(roles, i, i)
  if role[i] == 'p' then pair_i = i elseif role[i] == 'a' then acct_i = i end
  local r = {}
  for word in string.gmatch(ARGV[3 + i], '%S+') do r[#r + 1] = word end
  rule[i] = r
  local s = { 0, 0, 0, 0, 0, 0 }
  local v = redis.call('GET', KEYS[i])
  if v then
    local j = 1
    for word in string.gmatch(v, '%S+') do s[j] = tonumber(word); j = j + 1 end
  end
  -- As of now: an ended window counts nothing, a forgotten level is 0.
  if s[2] <= now then s[1] = 0; s[2] = 0 end
  if s[5] <= now then s[3] = 0; s[4] = 0; s[5] = 0 end
  st[i] = s
end
-- A pair written before its account's last clear counts as empty.
if pair_i > 0 and acct_i > 0 and st[pair_i][6] < st[acct_i][6] then st[pair_i] = { 0, 0, 0, 0, 0, 0 } end
local function store(i)
  local s = st[i]
  local ttl = math.max(s[2] - now, s[4] - now, s[5] - now)
  if i == acct_i and s[6] > 0 then ttl = math.max(ttl, s[6] + horizon - now) end
  if ttl <= 0 then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], s[1] .. ' ' .. s[2] .. ' ' .. s[3] .. ' ' .. s[4] .. ' ' .. s[5] .. ' ' .. s[6], 'PX', ttl)
  end
end
`;

/**
 * All or nothing: a scope locked refuses the attempt and nothing is counted ({ now, 0,
 * index of the lock ending last, its end }); else every scope counts it, one reaching its
 * threshold locks at once ({ now, 1, then counted, engaged level, lockedUntil per key }).
 */
export const RESERVE_SCRIPT = `${COMMON}
local locked_i, until_ms = 0, 0
for i = 1, n do
  if st[i][4] > now and st[i][4] > until_ms then locked_i = i; until_ms = st[i][4] end
end
if locked_i > 0 then return { now, 0, locked_i, until_ms } end
local reply = { now, 1 }
for i = 1, n do
  local s, r = st[i], rule[i]
  local attempts, window, lock, max_lock = tonumber(r[1]), tonumber(r[2]), tonumber(r[3]), tonumber(r[4])
  local count = s[1] + 1
  local engaged = 0
  if s[1] == 0 then s[2] = now + window end
  if count < attempts then
    s[1] = count
  else
    local level = s[3] + 1
    local duration = math.min(lock * 2 ^ math.min(level - 1, 40), max_lock)
    s[1], s[2], s[3], s[4], s[5] = 0, 0, level, now + duration, now + duration + max_lock
    engaged = level
  end
  if i == pair_i and acct_i > 0 then s[6] = st[acct_i][6] end
  store(i)
  reply[#reply + 1] = count
  reply[#reply + 1] = engaged
  reply[#reply + 1] = s[4]
end
return reply
`;

/**
 * Gives an attempt back. Mode r (a success, on the pair): the record is deleted. Mode d:
 * a lock the attempt set (its engaged level, while still the latest) is lifted with the
 * failures before it kept (one short of the threshold, a window from now), else the count
 * drops by one. Answers { now, then 1 when key i's lock was lifted, else 0 }.
 */
export const REFUND_SCRIPT = `${COMMON}
local reply = { now }
for i = 1, n do
  local s, r = st[i], rule[i]
  local attempts, window, engaged, mode = tonumber(r[1]), tonumber(r[2]), tonumber(r[5]), r[6]
  local lifted = 0
  if mode == 'r' then
    if s[4] > now then lifted = 1 end
    redis.call('DEL', KEYS[i])
  else
    if engaged > 0 and s[3] == engaged and s[4] > now then
      local level = engaged - 1
      s[1], s[3], s[4] = attempts - 1, level, 0
      if attempts > 1 then s[2] = now + window else s[2] = 0 end
      if level == 0 then s[5] = 0 end
      lifted = 1
    elseif s[1] > 0 then
      s[1] = s[1] - 1
      if s[1] == 0 then s[2] = 0 end
    end
    store(i)
  end
  reply[#reply + 1] = lifted
end
return reply
`;

/** Forgets: an account gets a new epoch (its pairs read as empty), an IP is deleted. Answers { now }. */
export const CLEAR_SCRIPT = `${COMMON}
for i = 1, n do
  if role[i] == 'a' then
    st[i] = { 0, 0, 0, 0, 0, math.max(now, st[i][6] + 1) }
    store(i)
  else
    redis.call('DEL', KEYS[i])
  end
end
return { now }
`;

/** Read-only: { now, then count, level, lockedUntil (0: none) per key }. */
export const INSPECT_SCRIPT = `${COMMON}
local reply = { now }
for i = 1, n do
  local s = st[i]
  reply[#reply + 1] = s[1]
  reply[#reply + 1] = s[3]
  if s[4] > now then reply[#reply + 1] = s[4] else reply[#reply + 1] = 0 end
end
return reply
`;
