import type { SecurityEvent } from '@bulwark/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

const event = (n: number): SecurityEvent => ({ type: 'server.error', at: n, errorName: `E${n}` });

describe('EventLog', () => {
  it('pages back through what the ring holds, newest first, each event once, for any capacity, count and page size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.nat(60),
        fc.integer({ min: 1, max: 25 }),
        (capacity, count, limit) => {
          const log = new EventLog(capacity);
          for (let i = 1; i <= count; i++) log.record(event(i));
          const seen: number[] = [];
          let before: number | undefined;
          for (let pages = 0; pages <= count + 1; pages++) {
            const page = log.page(limit, before);
            expect(page.events.length).toBeLessThanOrEqual(limit);
            seen.push(...page.events.map((e) => e.at));
            if (!page.more) break;
            before = page.last;
          }
          const held = Math.min(capacity, count);
          expect(seen).toEqual(Array.from({ length: held }, (_, i) => count - i));
          expect(log.total).toBe(count);
        },
      ),
    );
  });

  it('keeps client IPs masked as the ECS lines mask them', () => {
    const log = new EventLog(4);
    log.record({ type: 'auth.failed', at: 1, clientIp: '203.0.113.77', reason: 'expired' } as SecurityEvent);
    log.record({ type: 'auth.failed', at: 2, clientIp: '2001:db8:1:2::5', reason: 'expired' } as SecurityEvent);
    log.record(event(3));
    expect(log.page(10).events.map((e) => (e as { clientIp?: string }).clientIp)).toEqual([
      undefined,
      '2001:db8:1::',
      '203.0.113.0',
    ]);
  });
});
