import type { LockoutTarget } from '@bulwark/lockout';

/**
 * Key layout. An account's keys (its own counter and every pair of it) carry the account's
 * hash tag, so one script sees a pair and its account atomically on a Cluster; an IP's
 * counter carries the IP's tag, a slot of its own. Tags and IP keys hold no brace.
 *   <prefix>:{a:<tag>}:a          the account
 *   <prefix>:{a:<tag>}:p:<ip>     the account from one client IP
 *   <prefix>:{i:<ip>}:i           the client IP
 */
export interface LockoutKeys {
  readonly pair: string;
  readonly account: string;
  readonly ip: string;
}

export function accountKeyOf(prefix: string, account: string): string {
  return `${prefix}:{a:${account}}:a`;
}

export function ipKeyOf(prefix: string, ip: string): string {
  return `${prefix}:{i:${ip}}:i`;
}

export function lockoutKeys(prefix: string, target: LockoutTarget): LockoutKeys {
  return {
    pair: `${prefix}:{a:${target.account}}:p:${target.ip}`,
    account: accountKeyOf(prefix, target.account),
    ip: ipKeyOf(prefix, target.ip),
  };
}
