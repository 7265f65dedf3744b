import type { Principal } from '@bulwark/core';
import type { EventLog } from '../admin/event-log.js';
import { type Answer, BAD_CURSOR, cursorAfter, cursorBefore, positionBefore, positionOf } from './notes.js';
import { maskEmail, type User, type UserStore } from './users.js';

const full = (user: User) => ({ id: user.id, email: user.email, role: user.role, created_at: user.createdAt });

/** `GET /v2/users`, `GET /admin/users` and `GET /admin/events`. */
export function directoryHandlers(users: UserStore, events: EventLog) {
  return {
    /**
     * Users matching an email. Without `users:read` a caller sees only the id and a masked
     * email (enough to confirm a colleague, not to harvest addresses); with it, the record.
     */
    find: (principal: Principal, email: string): Answer => {
      const user = users.byEmail(email);
      const canRead = principal.scopes.includes('users:read');
      return {
        status: 200,
        body: {
          users: user === undefined ? [] : [canRead ? full(user) : { id: user.id, email: maskEmail(user.email) }],
        },
      };
    },
    listAll: (query: { limit: number; cursor?: string | undefined }): Answer => {
      const after = positionOf(query.cursor);
      if (after === undefined) return BAD_CURSOR();
      const page = users.page(query.limit, after);
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
