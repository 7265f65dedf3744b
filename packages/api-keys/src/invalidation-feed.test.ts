import { describe, expect, it } from 'vitest';
import { InvalidationFeed } from './invalidation-feed.js';

function feed(maxStaleness = 1000) {
  let now = 0;
  const f = new InvalidationFeed(maxStaleness, () => now);
  const heard: Array<string | undefined> = [];
  f.subscribe((id) => heard.push(id));
  return { f, heard, at: (ms: number) => (now = ms) };
}

describe('InvalidationFeed', () => {
  it('is trusted only after a heartbeat of the current subscription, until it is maxStaleness old', () => {
    const { f, heard, at } = feed();
    expect(f.trusted).toBe(false);
    f.onMessage('h 0 0', true); // before any subscription: proves nothing
    expect(f.trusted).toBe(false);
    at(10);
    f.subscribed();
    f.onMessage('h 0 5', true); // sent before this subscription
    expect(f.trusted).toBe(false);
    f.onMessage('h 0 20', true);
    expect(f.trusted).toBe(true);
    expect(heard).toEqual([undefined]); // what was cached before the proof is forgotten
    at(1019);
    expect(f.trusted).toBe(true);
    at(1020);
    expect(f.trusted).toBe(false);
  });

  it('drops each announced key; a skipped or backward number forgets every key', () => {
    const { f, heard, at } = feed();
    at(10);
    f.subscribed();
    f.onMessage('h 4 10', true);
    heard.length = 0;
    f.onMessage('i 5 a', false);
    f.onMessage('i 6 b c', false);
    expect(heard).toEqual(['a', 'b c']);
    f.onMessage('i 8 d', false); // 7 was lost
    expect(heard).toEqual(['a', 'b c', 'd', undefined]);
    f.onMessage('i 2 e', false); // the counter went back (Redis flushed)
    expect(heard.slice(-2)).toEqual(['e', undefined]);
    // Heartbeats of another instance and invalidations on the heartbeat channel are ignored.
    f.onMessage('h 99 10', false);
    f.onMessage('i 3 x', true);
    expect(heard.slice(-1)).toEqual([undefined]);
  });

  it('a heartbeat with another number than the one reached forgets every key, then trusts', () => {
    const { f, heard, at } = feed();
    at(10);
    f.subscribed();
    f.onMessage('h 1 10', true);
    heard.length = 0;
    f.onMessage('h 1 20', true);
    expect(heard).toEqual([]);
    f.onMessage('h 3 30', true); // 2 and 3 never arrived
    expect(heard).toEqual([undefined]);
    expect(f.trusted).toBe(true);
  });

  it('a dropped connection withdraws trust and forgets every key until a new subscription proves itself', () => {
    const { f, heard, at } = feed();
    at(10);
    f.subscribed();
    f.onMessage('h 0 10', true);
    heard.length = 0;
    f.disconnected();
    expect(f.trusted).toBe(false);
    expect(heard).toEqual([undefined]);
    f.onMessage('h 0 20', true); // the old subscription's: ignored
    expect(f.trusted).toBe(false);
    at(30);
    f.subscribed();
    f.onMessage('h 0 30', true);
    expect(f.trusted).toBe(true);
    f.close();
    expect(f.trusted).toBe(false);
  });
});
