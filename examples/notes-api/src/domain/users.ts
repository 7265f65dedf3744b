import { randomUUID } from 'node:crypto';
import { roles } from '@bulwark/authz';
import { BulwarkError } from '@bulwark/core';
import type { PasswordHasher } from '@bulwark/passwords';

/**
 * The demo's roles and their scopes (DEMO.md's users table), in this one place: routes
 * check scopes, never roles. A token or key carries these, or a requested subset.
 */
export const ROLES = roles({
  viewer: ['notes:read'],
  user: { inherits: ['viewer'], scopes: ['notes:write', 'reports:write', 'keys:manage'] },
  admin: { inherits: ['user'], scopes: ['users:read', 'admin'] },
});

export type Role = (typeof ROLES.names)[number];

export interface User {
  /** A random UUID, made at start: nothing about a user can be guessed from another's id. */
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  /** Internal: an Argon2id PHC string, never sent. */
  readonly passwordHash: string;
}

/** The demo's users. The passwords are fixed and printed in the banner because this is a demo. */
export const DEMO_USERS: ReadonlyArray<{ readonly email: string; readonly password: string; readonly role: Role }> = [
  { email: 'alice@example.com', password: 'alice-demo-password', role: 'user' },
  { email: 'bob@example.com', password: 'bob-demo-password', role: 'viewer' },
  { email: 'dave@example.com', password: 'dave-demo-password', role: 'user' },
  { email: 'carol@example.com', password: 'carol-demo-password', role: 'admin' },
];

/**
 * Where the demo's users live: in memory (`UserStore`), or in PostgreSQL with DATABASE_URL
 * (`pgUserDirectory`). Asynchronous, as a database is.
 */
export interface UserDirectory {
  /** Emails compare case-insensitively (the domain part is, and the demo treats the local part alike). */
  byEmail(email: string): Promise<User | undefined>;
  byId(id: string): Promise<User | undefined>;
  /** Every user, in creation order, after position `after` (0-based), at most `limit`. */
  page(limit: number, after: number): Promise<{ users: User[]; more: boolean }>;
}

/** The seeded users, in memory. */
export class UserStore implements UserDirectory {
  readonly #byEmail = new Map<string, User>();
  readonly #byId = new Map<string, User>();

  constructor(users: readonly User[]) {
    for (const user of users) {
      this.#byEmail.set(user.email, user);
      this.#byId.set(user.id, user);
    }
  }

  /**
   * Hashes the demo passwords with Argon2id (the hasher's parameters) and gives each user
   * an id from `idOf` (default: a random UUID).
   */
  static async seed(
    hasher: PasswordHasher,
    now: Date,
    idOf: (email: string) => string | Promise<string> = () => randomUUID(),
  ): Promise<UserStore> {
    const users = await Promise.all(
      DEMO_USERS.map(
        async ({ email, password, role }): Promise<User> => ({
          id: await idOf(email),
          email,
          role,
          scopes: ROLES.scopesFor(role),
          createdAt: now.toISOString(),
          passwordHash: await hasher.hash(password),
        }),
      ),
    );
    return new UserStore(users);
  }

  async byEmail(email: string): Promise<User | undefined> {
    return this.#byEmail.get(email.trim().toLowerCase());
  }

  async byId(id: string): Promise<User | undefined> {
    return this.#byId.get(id);
  }

  async page(limit: number, after: number): Promise<{ users: User[]; more: boolean }> {
    const all = [...this.#byId.values()];
    return { users: all.slice(after, after + limit), more: all.length > after + limit };
  }
}

/**
 * The user ids of processes sharing one Redis: the first process to start draws each
 * random UUID and every later one reads it, so a token's `sub` names the same user in all.
 */
export function sharedUserIds(redis: {
  set(key: string, value: string, nx: 'NX'): Promise<unknown>;
  get(key: string): Promise<string | null>;
}) {
  return async (email: string): Promise<string> => {
    const key = `notes-api:user-id:${email}`;
    await redis.set(key, randomUUID(), 'NX');
    const id = await redis.get(key);
    if (id === null) throw new BulwarkError('store_unavailable', 'Redis lost a demo user id it just stored');
    return id;
  };
}
