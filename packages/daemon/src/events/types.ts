/**
 * supervisor's event types (events.EventTypes of 4.2.5) as data: each concrete type and the
 * abstract types it belongs to. A subscription to an abstract name (EVENT, PROCESS_STATE,
 * PROCESS_LOG, PROCESS_COMMUNICATION, SUPERVISOR_STATE_CHANGE, TICK, PROCESS_GROUP) receives
 * every subtype, as supervisor's `isinstance` check does.
 *
 * tsupervisor's own types (TSUPERVISOR_*: a process held by its depends_on= and released, a
 * spawn waiting for its ready= check) are not under EVENT: a listener subscribed to EVENT receives exactly what supervisord sends it;
 * only a subscription that names them (or their abstract TSUPERVISOR_DEPENDENCY or
 * TSUPERVISOR_READINESS) gets them.
 */
import type { ProcessStateName } from '@tsupervisor/protocol';

export const ABSTRACT_TYPES = [
  'EVENT',
  'PROCESS_STATE',
  'PROCESS_LOG',
  'PROCESS_COMMUNICATION',
  'SUPERVISOR_STATE_CHANGE',
  'TICK',
  'PROCESS_GROUP',
  'TSUPERVISOR_DEPENDENCY',
  'TSUPERVISOR_READINESS',
] as const;

export type AbstractEventType = (typeof ABSTRACT_TYPES)[number];

/** Concrete types and their abstract parents (EVENT is every supervisor type's). */
const PARENTS = {
  PROCESS_STATE_STOPPED: ['PROCESS_STATE'],
  PROCESS_STATE_EXITED: ['PROCESS_STATE'],
  PROCESS_STATE_STARTING: ['PROCESS_STATE'],
  PROCESS_STATE_STOPPING: ['PROCESS_STATE'],
  PROCESS_STATE_BACKOFF: ['PROCESS_STATE'],
  PROCESS_STATE_FATAL: ['PROCESS_STATE'],
  PROCESS_STATE_RUNNING: ['PROCESS_STATE'],
  PROCESS_STATE_UNKNOWN: ['PROCESS_STATE'],
  PROCESS_COMMUNICATION_STDOUT: ['PROCESS_COMMUNICATION'],
  PROCESS_COMMUNICATION_STDERR: ['PROCESS_COMMUNICATION'],
  PROCESS_LOG_STDOUT: ['PROCESS_LOG'],
  PROCESS_LOG_STDERR: ['PROCESS_LOG'],
  REMOTE_COMMUNICATION: [],
  SUPERVISOR_STATE_CHANGE_RUNNING: ['SUPERVISOR_STATE_CHANGE'],
  SUPERVISOR_STATE_CHANGE_STOPPING: ['SUPERVISOR_STATE_CHANGE'],
  TICK_5: ['TICK'],
  TICK_60: ['TICK'],
  TICK_3600: ['TICK'],
  PROCESS_GROUP_ADDED: ['PROCESS_GROUP'],
  PROCESS_GROUP_REMOVED: ['PROCESS_GROUP'],
  TSUPERVISOR_DEPENDENCY_WAITING: ['TSUPERVISOR_DEPENDENCY'],
  TSUPERVISOR_DEPENDENCY_RELEASED: ['TSUPERVISOR_DEPENDENCY'],
  TSUPERVISOR_READINESS_WAITING: ['TSUPERVISOR_READINESS'],
} as const satisfies Record<string, readonly AbstractEventType[]>;

export type EventType = keyof typeof PARENTS;

export const EVENT_TYPE_NAMES: readonly string[] = [...ABSTRACT_TYPES, ...Object.keys(PARENTS)];

export function isEventTypeName(name: string): boolean {
  return EVENT_TYPE_NAMES.includes(name);
}

/** tsupervisor's own types: only a subscription naming them receives them. */
export function isTsupervisorType(type: EventType): boolean {
  return type.startsWith('TSUPERVISOR_');
}

/** Is `type` the type named `name` or one of its subtypes? */
export function isA(type: EventType, name: string): boolean {
  if (name === type) return true;
  if (name === 'EVENT') return !isTsupervisorType(type);
  return (PARENTS[type] as readonly string[]).includes(name);
}

/** Does a subscription to `names` receive events of `type`? */
export function subscribes(names: readonly string[], type: EventType): boolean {
  return names.some((name) => isA(type, name));
}

/** The PROCESS_STATE_* type a process entering `state` raises. */
export function processStateType(state: ProcessStateName): EventType {
  return `PROCESS_STATE_${state}` as EventType;
}
