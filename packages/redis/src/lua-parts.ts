// The Lua shared by the check scripts (lua.ts) and the admin scripts (lua-admin.ts).

/**
 * `now` in ms: Redis `TIME`, unless the argument `at` (a Lua expression) gives one (tests).
 * `TIME` answers two strings; Lua's arithmetic converts them.
 */
export const nowFrom = (at: string) => `
local now
local at = ${at}
if at == nil or at == '' then
  local t = redis.call('TIME')
  now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
else
  now = tonumber(at)
end
`;

/**
 * Every script that changes state takes an optional deadline (ms, in Redis's clock: the
 * client translates its own, see store.ts): the instant its caller stops waiting and
 * answers from its failure mode. A script that starts at or after it (it was queued behind
 * a stall, say) changes nothing and answers `{ now, -1 }`, which no other reply can be: a
 * count, an "allowed" flag or a refund's 1 is never negative. `now` lets the client learn
 * the clock offset from it too.
 */
export const expiredIf = (deadline: string) => `
if ${deadline} ~= nil and ${deadline} ~= '' and now >= tonumber(${deadline}) then return { now, -1 } end
`;

export const PRELUDE = `
local head_now, head_cost, head_commit, head_deadline = string.match(ARGV[1], '^(%d*) (%d+) (%d) ?(%d*)$')
${nowFrom('head_now')}
${expiredIf('head_deadline')}
local cost = tonumber(head_cost)
local commit = head_commit == '1'
-- Keys live at least a second: a state past its horizon decides like no state, so the
-- extra second changes nothing but spares Redis millisecond-long keys.
local MIN_TTL = 1000
`;
