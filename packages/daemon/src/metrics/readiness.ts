/**
 * Whether a process is ready, and which autostart processes are not: /readyz and the
 * tsupervisor_process_ready metric read it here; whether one process is ready is decided in
 * process/dependencies.ts (the one readiness test, shared with depends_on).
 */
import { isReady as stateIsReady } from '../process/dependencies.js';
import type { Subprocess } from '../process/subprocess.js';
import type { Supervisor } from '../supervisor.js';

export function isReady(p: Subprocess): boolean {
  return stateIsReady(p.snapshot);
}

export interface Readiness {
  ready: boolean;
  /** Namespecs (`group:name`, or `name` alone) of the autostart processes that are not ready. */
  notReady: string[];
  /** Why the daemon as a whole is not ready (shutting down, restarting), if it is not. */
  daemon: string | null;
}

/** Readiness of every autostart process, or of one group's; null for a group that does not exist. */
export function readiness(sup: Supervisor, group?: string): Readiness | null {
  let processes: Subprocess[];
  if (group === undefined) processes = sup.allLexical();
  else {
    const g = sup.groups.get(group);
    if (!g) return null;
    processes = g.lexical();
  }
  const notReady = processes.filter((p) => p.config.autostart && !isReady(p)).map((p) => p.namespec);
  const daemon = sup.state === 'RUNNING' ? null : `supervisord is ${sup.state}`;
  return { ready: notReady.length === 0 && daemon === null, notReady, daemon };
}
