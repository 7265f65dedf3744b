// The scripts that give back or forget counts (refund, reset); the checks are in lua.ts.
import { expiredIf, nowFrom, PRELUDE } from './lua-parts.js';

/**
 * Gives `cost` back to each fixed-window key's current window, never below zero; `HINCRBY`
 * keeps the key's TTL. ARGV: now ('' for Redis TIME), cost, then window per key, then an
 * optional deadline (see expiredIf): a refund that starts after it would give back what a
 * later request counted, maybe in a later window.
 */
export const FIXED_WINDOW_REFUND_SCRIPT = `
${nowFrom('ARGV[1]')}
${expiredIf('ARGV[#KEYS + 3]')}
local cost = tonumber(ARGV[2])
for i = 1, #KEYS do
  local window = tonumber(ARGV[i + 2])
  local start = now - now % window
  local count = tonumber(redis.call('HGET', KEYS[i], start) or 0)
  if count > 0 and cost > 0 then redis.call('HINCRBY', KEYS[i], start, 0 - math.min(count, cost)) end
end
return 1
`;

/**
 * Gives `cost` back to each key of the string-layout algorithms without touching its expiry (SET ... KEEPTTL).
 * ARGV: "now cost commit [deadline]" (as the check scripts), the algorithm, then "limit
 * window" per key.
 */
export const REFUND_SCRIPT = `${PRELUDE}
local algorithm = ARGV[2]
for i = 1, #KEYS do
  local sl, sw = string.match(ARGV[i + 2], '^(%d+) (%d+)')
  local limit = tonumber(sl)
  local window = tonumber(sw)
  local value = redis.call('GET', KEYS[i])
  if value then
    local sa, sb, sc, sk = string.match(value, '^(%S+) (%S+) (%S+) (%S+)$')
    if sa ~= '-' then
      local a, b, c = tonumber(sa), tonumber(sb), tonumber(sc)
      if algorithm == 'sliding-window' then
        b = math.max(0, b - cost)
      elseif algorithm == 'token-bucket' then
        local capacity = limit * window
        a = math.min(capacity, math.min(capacity, a + math.max(0, now - b) * limit) + cost * window)
        b = now
      elseif algorithm == 'gcra' then
        local back = cost * window
        a = a - math.floor(back / limit)
        b = b - (back % limit)
        if b < 0 then b = b + limit; a = a - 1 end
        if a < now then a = now; b = 0 end
      end
      redis.call('SET', KEYS[i], a .. ' ' .. b .. ' ' .. c .. ' ' .. sk, 'KEEPTTL')
    end
  end
end
return 1
`;

/**
 * Deletes the keys (every algorithm's layout of each reset key), unless the optional
 * deadline ARGV[1] (see expiredIf) has passed: a reset that starts late would forget what
 * requests counted after its caller was told it failed. Reads `TIME` only for a deadline.
 */
export const RESET_SCRIPT = `
if ARGV[1] ~= nil and ARGV[1] ~= '' then
  local t = redis.call('TIME')
  local now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
  if now >= tonumber(ARGV[1]) then return { now, -1 } end
end
return redis.call('DEL', unpack(KEYS))
`;
