// Security monitoring (#18): the failure-spike detector, the ECS mapping of every event and
// the alert hook; and the event types of sign-in lockout, which it watches.
export type { AlertEvent, LockoutClearedEvent, LockoutEvent, LockoutScope, LoginFailedEvent } from '../events.js';
