import { type BareItem, type Item, parseList } from 'structured-headers';

/** One member of a RateLimit or RateLimit-Policy field (IETF httpapi draft 10, RFC 8941 Lists). */
export interface RateLimitMember {
  readonly policy: string;
  readonly params: ReadonlyMap<string, BareItem>;
}

const isInteger = (value: BareItem | undefined): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * Parses a `RateLimit-Policy` or `RateLimit` value and checks it against the draft: a List of
 * String items, `q` (policy) or `r` (limit) a required non-negative Integer, `w` and `t` optional
 * non-negative Integers. Throws with the reason when it is not well formed.
 */
export function parseRateLimitField(value: string, kind: 'policy' | 'limit'): RateLimitMember[] {
  let list: ReturnType<typeof parseList>;
  try {
    list = parseList(value);
  } catch (err) {
    throw new Error(`not an RFC 8941 List: ${(err as Error).message}`);
  }
  const required = kind === 'policy' ? 'q' : 'r';
  const optional = kind === 'policy' ? 'w' : 't';
  return list.map((member) => {
    const [bare, params] = member as Item;
    if (Array.isArray(bare)) throw new Error('an inner list is not a policy');
    if (typeof bare !== 'string') throw new Error(`the policy name ${String(bare)} is not a String`);
    if (!isInteger(params.get(required))) throw new Error(`"${bare}" has no non-negative integer ${required}`);
    if (params.has(optional) && !isInteger(params.get(optional)))
      throw new Error(`"${bare}" has a malformed ${optional}`);
    return { policy: bare, params };
  });
}

/** The smallest remaining quota (`r`) an answer's RateLimit field advertises, if any. */
export function smallestRemaining(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const left = parseRateLimitField(value, 'limit').map((m) => m.params.get('r') as number);
    return left.length === 0 ? undefined : Math.min(...left);
  } catch {
    return undefined;
  }
}
