import { describe, expect, it } from 'vitest';
import { nodeArgon2Engine, passwordHasher, ServiceBusyError } from './node/index.js';
import { countingEngine } from './test-engines.js';

// Real hashes on real libuv threads, all submitted in the same tick: the bound is what
// decides who computes, who waits and who is refused, not the timing.

describe('the bound on hashes in flight', () => {
  it('runs at most maxConcurrent at once, queues maxQueued, refuses the rest at once with a 503-coded error', async () => {
    const engine = countingEngine(nodeArgon2Engine());
    const hasher = passwordHasher({ engine, maxConcurrent: 2, maxQueued: 3, retryAfter: 2 });
    const stored = await hasher.hash('correct horse battery staple');
    const attempts = Array.from({ length: 9 }, (_, i) =>
      hasher.verify(stored, i === 0 ? 'correct horse battery staple' : `wrong ${i}`),
    );
    const settled = await Promise.allSettled(attempts);
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ServiceBusyError);
      expect(reason).toMatchObject({ code: 'service_busy', retryAfter: 2 });
    }
    // The first five were admitted (two running, three queued), in order.
    expect(settled[0]).toEqual({ status: 'fulfilled', value: true });
    expect(settled.slice(5).every((s) => s.status === 'rejected')).toBe(true);
    expect(engine.peak).toBe(2);
    expect(engine.calls).toBe(1 + 5);
  });

  it('frees its slots: after a burst is refused, the next calls are served', async () => {
    const hasher = passwordHasher({ maxConcurrent: 1, maxQueued: 0 });
    const burst = await Promise.allSettled([hasher.hash('a'), hasher.hash('b'), hasher.verifyDummy('c')]);
    expect(burst.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const stored = await hasher.hash('again');
    expect(await hasher.verify(stored, 'again')).toBe(true);
  });

  it('a failing computation releases its slot too', async () => {
    let fail = true;
    const inner = nodeArgon2Engine();
    const hasher = passwordHasher({
      engine: {
        name: 'flaky',
        offThread: true,
        argon2id: (input) => (fail ? Promise.reject(new Error('engine down')) : inner.argon2id(input)),
      },
      maxConcurrent: 1,
      maxQueued: 0,
    });
    await expect(hasher.hash('x')).rejects.toThrow('engine down');
    fail = false;
    await expect(hasher.hash('x')).resolves.toMatch(/^\$argon2id\$/);
  });
});
