import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { passwordHasher } from './node/index.js';

// Structural, not timed: while eight hashes run at once, a 1 ms interval timer must keep
// firing. A hash on the event loop (a synchronous engine: swap hashRaw for hashRawSync in
// native-engine.ts) lets it fire at most once or twice, whatever the machine's load; the
// native engine lets it fire for as long as the hashes take. The loop delay is reported.

describe('the event loop while eight hashes run', () => {
  it('keeps turning: a timer fires throughout, and no single stall lasts the whole batch', async () => {
    const hasher = passwordHasher({ maxConcurrent: 8 });
    const stored = await hasher.hash('warm up the thread pool');
    const fired: number[] = [];
    const timer = setInterval(() => fired.push(performance.now()), 1);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.verify(stored, `attempt ${i}`)));
    const elapsed = performance.now() - started;
    delay.disable();
    clearInterval(timer);
    expect(results).toEqual(Array(8).fill(false));
    const gaps = fired.map((at, i) => at - (i === 0 ? started : (fired[i - 1] as number)));
    const longest = Math.max(...gaps, elapsed - ((fired.at(-1) ?? started) - started));
    console.log(
      `8 hashes: ${elapsed.toFixed(0)} ms, timer fired ${fired.length} times, longest gap ${longest.toFixed(1)} ms, loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    expect(fired.length).toBeGreaterThanOrEqual(5);
    expect(longest).toBeLessThan(elapsed * 0.75);
  });
});
