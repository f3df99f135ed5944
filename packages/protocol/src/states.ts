/** Process and supervisor states, with supervisor 4.2.5's numbers (reference §3). */

export const ProcessStates = {
  STOPPED: 0,
  STARTING: 10,
  RUNNING: 20,
  BACKOFF: 30,
  STOPPING: 40,
  EXITED: 100,
  FATAL: 200,
  UNKNOWN: 1000,
} as const;

export type ProcessStateName = keyof typeof ProcessStates;
export type ProcessStateCode = (typeof ProcessStates)[ProcessStateName];

export const STOPPED_STATES: readonly ProcessStateName[] = ['STOPPED', 'EXITED', 'FATAL', 'UNKNOWN'];
export const RUNNING_STATES: readonly ProcessStateName[] = ['RUNNING', 'BACKOFF', 'STARTING'];
export const SIGNALLABLE_STATES: readonly ProcessStateName[] = ['RUNNING', 'STARTING', 'STOPPING'];
/** Where a start is taken (supervisor's spawn asserts these; BACKOFF: a start ends the wait). */
export const STARTABLE_STATES: readonly ProcessStateName[] = ['STOPPED', 'EXITED', 'FATAL', 'BACKOFF'];

export function stateName(code: number): ProcessStateName {
  for (const [name, value] of Object.entries(ProcessStates)) {
    if (value === code) return name as ProcessStateName;
  }
  return 'UNKNOWN';
}

export const SupervisorStates = {
  FATAL: 2,
  RUNNING: 1,
  RESTARTING: 0,
  SHUTDOWN: -1,
} as const;

export type SupervisorStateName = keyof typeof SupervisorStates;
