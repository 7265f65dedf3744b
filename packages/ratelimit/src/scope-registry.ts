import { ScopeKeys } from './scope-keys.js';

/**
 * The memory store's scopes (one per policy limit, `<policy>:<limit>`) by name, and by the
 * small id a key's record stores instead of a reference. A scope whose last key goes is
 * forgotten, and its id reused, so memory stays bounded whatever scopes a caller invents.
 */
export class ScopeRegistry {
  readonly #byName = new Map<string, ScopeKeys>();
  readonly #byId: Array<ScopeKeys | undefined> = [];
  readonly #freeIds: number[] = [];
  readonly #released: (scope: ScopeKeys, slot: number) => void;
  // The scope of the last lookup: a policy passes the same scope string on every request,
  // so this is a pointer compare instead of a hash-map probe per check.
  #lastName: string | undefined;
  #lastScope: ScopeKeys | undefined;

  /** `released(scope, slot)`: a key of `scope` was removed and its slot is free. */
  constructor(released: (scope: ScopeKeys, slot: number) => void) {
    this.#released = released;
  }

  /** The scope named `name`, or undefined when it holds no key. */
  find(name: string): ScopeKeys | undefined {
    if (name !== this.#lastName) {
      this.#lastScope = this.#byName.get(name);
      this.#lastName = name;
    }
    return this.#lastScope;
  }

  /** The scope named `name`, created when it holds no key. */
  findOrCreate(name: string): ScopeKeys {
    const found = this.find(name);
    if (found !== undefined) return found;
    const id = this.#freeIds.pop() ?? this.#byId.length;
    const created: ScopeKeys = new ScopeKeys(name, id, (slot) => this.#released(created, slot));
    this.#byName.set(name, created);
    this.#byId[id] = created;
    this.#lastName = undefined;
    return created;
  }

  byId(id: number): ScopeKeys {
    return this.#byId[id] as ScopeKeys;
  }

  /** Forgets `scope` if it has no key left. */
  forgetIfEmpty(scope: ScopeKeys): void {
    if (scope.size !== 0 || this.#byName.get(scope.name) !== scope) return;
    this.#byName.delete(scope.name);
    this.#byId[scope.id] = undefined;
    this.#freeIds.push(scope.id);
    this.#lastName = undefined;
  }
}
