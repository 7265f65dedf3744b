import { mask, maskEmail, readableFields } from '@bulwark/authz';
import type { Principal } from '@bulwark/core';
import type { EventLog } from '../admin/event-log.js';
import { type Answer, BAD_CURSOR, cursorAfter, cursorBefore, positionBefore, positionOf } from './notes.js';
import type { User, UserDirectory } from './users.js';

const full = (user: User) => ({ id: user.id, email: user.email, role: user.role, created_at: user.createdAt });

/**
 * What `GET /v2/users` shows of a user (OWASP API3, property level): without `users:read`
 * the id and a masked email (enough to confirm a colleague, not to harvest addresses); with
 * it, the record. The route's output schema then drops anything unlisted (a password hash).
 */
const USER_FIELDS = readableFields({
  email: { requires: 'users:read', otherwise: mask(maskEmail) },
  role: { requires: 'users:read' },
  created_at: { requires: 'users:read' },
});

/** `GET /v2/users`, `GET /admin/users` and `GET /admin/events`. */
export function directoryHandlers(users: UserDirectory, events: EventLog) {
  return {
    /** Users matching an email, shaped for the caller (see USER_FIELDS). */
    find: async (principal: Principal, email: string): Promise<Answer> => {
      const user = await users.byEmail(email);
      return { status: 200, body: { users: user === undefined ? [] : USER_FIELDS.shape(principal, [full(user)]) } };
    },
    listAll: async (query: { limit: number; cursor?: string | undefined }): Promise<Answer> => {
      const after = positionOf(query.cursor);
      if (after === undefined) return BAD_CURSOR();
      const page = await users.page(query.limit, after);
      return {
        status: 200,
        body: {
          users: page.users.map(full),
          ...(page.more ? { nextCursor: cursorAfter(after + page.users.length) } : {}),
        },
      };
    },
    /** The latest security events, newest first; `nextCursor` pages to older ones while the log holds them. */
    events: (query: { limit: number; cursor?: string | undefined }): Answer => {
      const before = positionBefore(query.cursor);
      if (before === undefined) return BAD_CURSOR();
      const page = events.page(query.limit, before ?? undefined);
      return {
        status: 200,
        body: { events: page.events, ...(page.more ? { nextCursor: cursorBefore(page.last) } : {}) },
      };
    },
  };
}
