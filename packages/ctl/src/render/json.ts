/** `--json` documents (a tsupervisorctl extension): one JSON document per command on stdout. */
import { type ProcessInfo, faultName } from '@tsupervisor/protocol';
import type { Outcome } from './faults.js';
import { makeNamespec } from '../namespec.js';
import { statusDescription } from './status.js';

/** getProcessInfo's fields, as documented for `status --json`. */
export function processJson(info: ProcessInfo): Record<string, unknown> {
  return {
    name: info.name,
    group: info.group,
    state: info.state,
    statename: info.statename,
    pid: info.pid,
    start: info.start,
    stop: info.stop,
    now: info.now,
    exitstatus: info.exitstatus,
    spawnerr: info.spawnerr,
    description: statusDescription(info),
    stdout_logfile: info.stdout_logfile,
    stderr_logfile: info.stderr_logfile,
    // tsupervisor's depends_on= (docs/dependencies.md): only for a process that has it
    ...(info.depends_on ? { depends_on: info.depends_on, waiting_for: info.waiting_for ?? [] } : {}),
    ...(info.dependency_error ? { dependency_error: info.dependency_error } : {}),
    // tsupervisor's readiness and health (docs/readiness.md): from a daemon that sends them
    ...(info.ready !== undefined
      ? { ready: info.ready, health: info.health ?? null, health_failures: info.health_failures ?? 0, status_text: info.status_text ?? '' }
      : {}),
  };
}

/** One start/stop/signal/clear outcome; `text` is the line supervisorctl would print. */
export function outcomeJson(action: string, outcome: Outcome, text: string): Record<string, unknown> {
  return {
    action,
    name: outcome.name === null ? `${outcome.group}:*` : makeNamespec(outcome.group, outcome.name),
    group: outcome.group,
    process: outcome.name,
    status: outcome.status,
    statusname: faultName(outcome.status) ?? 'UNKNOWN',
    ok: outcome.status === 80,
    text,
  };
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
