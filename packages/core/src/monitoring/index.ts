// Security monitoring (#18): the failure-spike detector, the ECS mapping of every event and
// the alert hook; and the event types of sign-in lockout, which it watches.
export type { AlertEvent, LockoutClearedEvent, LockoutEvent, LockoutScope, LoginFailedEvent } from '../events.js';
export { type AlertHook, alertHook, DEFAULT_ALERT_TYPES, teeSink } from './alerts.js';
export { DEFAULT_SPIKE_SIGNALS, type SpikeDetector, type SpikeDetectorOptions, spikeDetector } from './detector.js';
export { ECS_VERSION, type EcsOptions, ecsDocument, ecsSink, maskIp } from './ecs.js';
export { advance, initialSignal, MINUTE_MS, observe, type SignalState, type SpikeRule, threshold } from './spike.js';
