// The keyring store's scripts: one per operation, each on the one hash of a keyring
// (`<prefix>:{<name>}`: the braces are a hash tag, so on a Cluster a keyring lives on one
// node whatever its prefix and whatever keys are added later). Fields: `head` (the highest
// generation ever created) and `g:<generation>` = "createdAt activatesAt kid alg sealed".
import { nowFrom } from '../lua-parts.js';

/** ARGV: now ('' for Redis TIME). Answers { now, HGETALL }. */
export const KEYRING_LOAD_SCRIPT = `
${nowFrom('ARGV[1]')}
return { now, redis.call('HGETALL', KEYS[1]) }
`;

/**
 * The compare-and-set of a new key. ARGV: now ('' for TIME), generation, activateAfter,
 * dropBelow, kid, alg, sealed. Created only if generation = head + 1; then the records
 * below dropBelow are deleted. Answers { now, created (0 or 1), HGETALL }.
 */
export const KEYRING_CREATE_SCRIPT = `
${nowFrom('ARGV[1]')}
local generation = tonumber(ARGV[2])
local head = tonumber(redis.call('HGET', KEYS[1], 'head') or '0')
local created = 0
if generation == head + 1 then
  local drop = tonumber(ARGV[4])
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    local g = string.match(field, '^g:(%d+)$')
    if g and tonumber(g) < drop then redis.call('HDEL', KEYS[1], field) end
  end
  local value = string.format('%d %d %s %s %s', now, now + tonumber(ARGV[3]), ARGV[5], ARGV[6], ARGV[7])
  redis.call('HSET', KEYS[1], 'head', generation, 'g:' .. generation, value)
  created = 1
end
return { now, created, redis.call('HGETALL', KEYS[1]) }
`;
