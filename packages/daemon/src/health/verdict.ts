/**
 * Health of a RUNNING process (tsupervisor's `healthcheck=`, issue 16) as pure functions: what
 * one check's answer makes of it, and whether the process is to be restarted. Health is an
 * attribute beside the state (the state machine knows nothing of it but the restart it asks
 * for): 'starting' until a check passes, 'healthy' after one does, 'unhealthy' while checks are
 * failing; `healthcheck_retries` failures in a row restart the process. As docker's
 * HEALTHCHECK, a failure within `healthcheck_start_period` of the spawn does not count, unless a
 * check already passed.
 */

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface Health {
  status: HealthStatus;
  /** Failed checks in a row (counted ones only). */
  failures: number;
  /** The last failed check's answer ('' after a success). */
  answer: string;
}

export const STARTING: Health = { status: 'starting', failures: 0, answer: '' };

/** The timings a verdict needs (seconds, as configured). */
export interface HealthTimings {
  retries: number;
  startPeriod: number;
}

export interface Outcome {
  health: Health;
  /** The failures reached healthcheck_retries: restart the process. */
  restart: boolean;
}

/**
 * One check ended: `answer` is null when it passed, else why not. `runningMs`: how long the
 * process has been up.
 */
export function recordCheck(prev: Health, answer: string | null, timings: HealthTimings, runningMs: number): Outcome {
  if (answer === null) return { health: { status: 'healthy', failures: 0, answer: '' }, restart: false };
  if (prev.status === 'starting' && runningMs < timings.startPeriod * 1000) return { health: prev, restart: false };
  const failures = prev.failures + 1;
  return { health: { status: 'unhealthy', failures, answer }, restart: failures >= timings.retries };
}

/** What the description adds while a check is failing: `unhealthy: HTTP 500` ('' otherwise). */
export function healthNote(health: Health | null): string {
  return health && health.failures > 0 ? `unhealthy: ${health.answer || 'check failed'}` : '';
}

/** The main log's words for a restart: which check, how many failures, its last answer. */
export function restartReason(check: string, health: Health): string {
  return `unhealthy: ${health.failures} health check${health.failures === 1 ? '' : 's'} failed in a row (healthcheck=${check}), last answer: ${health.answer || 'none'}`;
}
