/** supervisor's event system: event types and payloads, listener pools, ticks. */
export { EventSystem, type EventSystemOptions } from './system.js';
export { SupervisorEvent, SerialCounter } from './event.js';
export { ABSTRACT_TYPES, EVENT_TYPE_NAMES, isEventTypeName, subscribes, type EventType } from './types.js';
export { ListenerOutput } from './listener-output.js';
export { ListenerPool } from './pool.js';
