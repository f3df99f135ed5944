/** `update` lines, in the order the daemon did the work (supervisorctl's do_update). */
import type { UpdateAction } from '@tsupervisor/protocol';

export function updateLine(action: UpdateAction): string {
  switch (action.action) {
    case 'stopped':
      return `${action.group}: stopped`;
    case 'removed':
      return `${action.group}: removed process group`;
    case 'updated':
      return `${action.group}: updated process group`;
    case 'added':
      return `${action.group}: added process group`;
    case 'problems':
      return `${action.group}: has problems; not removing`;
    case 'nosuchgroup':
      return `ERROR: no such group: ${action.group}`;
  }
}

/** Actions that make `update` exit 1. */
export function isUpdateFailure(action: UpdateAction): boolean {
  return action.action === 'problems' || action.action === 'nosuchgroup';
}
