import type { RevocationTarget } from '../revocation.js';

type Listener = (target: RevocationTarget) => void;

/**
 * The listeners of a store's `subscribe`. A listener that throws is skipped, never the
 * caller's problem: a revocation is recorded whatever a cache's callback does.
 */
export class RevocationListeners {
  readonly #listeners = new Set<Listener>();

  add(listener: Listener): () => void {
    if (typeof listener !== 'function') throw new TypeError('a revocation listener is a function');
    // A wrapper per subscription, so the same function subscribed twice unsubscribes once each.
    const entry: Listener = (target) => listener(target);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  notify(target: RevocationTarget): void {
    for (const listener of this.#listeners) {
      try {
        listener(target);
      } catch {
        // A failing cache callback must not undo or hide the revocation.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
