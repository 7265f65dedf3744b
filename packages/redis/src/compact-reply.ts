const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;

/**
 * The compact call's one-integer reply, count * 2^32 + (now mod 2^32) (see lua.ts), as the
 * `[now, count]` the other calls answer. The high bits of `now` come from this machine's
 * clock: of the instants with Redis's low 32 bits, the one nearest to `Date.now()`, which
 * is Redis's own `now` while the clocks differ by less than 2^31 ms (24 days). Only the
 * reported `now` and reset times depend on it; the script has already decided.
 */
export function unpackCompact(reply: number, localNow: number = Date.now()): [number, number] {
  // Division and branches, not `%`: on numbers past 2^31 V8's `%` is a call to fmod.
  const count = Math.floor(reply / TWO_32);
  const low = reply - count * TWO_32;
  // low - (localNow mod 2^32) is in (-2^32, 2^32): bring it into [-2^31, 2^31).
  let offset = low - (localNow - Math.floor(localNow / TWO_32) * TWO_32);
  if (offset >= TWO_31) offset -= TWO_32;
  else if (offset < -TWO_31) offset += TWO_32;
  return [localNow + offset, count];
}
