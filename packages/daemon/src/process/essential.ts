/**
 * `essential=true` (tsupervisor): a program the daemon cannot live without. When it goes FATAL,
 * exits while autorestart will not bring it back, or is left STOPPED by a failed dependency, the
 * daemon stops everything in order and exits non-zero (a container ends; its orchestrator
 * restarts it). This says whether a state change is such a failure, and in which words.
 */
import type { ProcessConfig } from '../config/types.js';
import type { ProcState } from './transition.js';

/** The exit status of tsupervisord after an essential program failed. */
export const ESSENTIAL_EXIT_CODE = 1;

/** Why this change ends the daemon, or null. `snapshot` is the state after the change settled. */
export function essentialFailure(
  namespec: string,
  config: Pick<ProcessConfig, 'essential'>,
  change: { to: string; snapshot: ProcState },
): string | null {
  if (!config.essential) return null;
  const st = change.snapshot;
  if (change.to === 'FATAL') return `essential program ${namespec} entered FATAL state (${st.spawnerr || 'too many start retries'})`;
  if (change.to === 'EXITED' && st.state === 'EXITED' && !st.restartPending) {
    return `essential program ${namespec} exited (exit status ${st.exitstatus}) and autorestart will not bring it back`;
  }
  return null;
}
