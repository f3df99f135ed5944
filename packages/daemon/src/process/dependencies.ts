/**
 * What a process's dependencies say right now, as pure functions of their states: met, still
 * pending, or failed for good (the dependent then stays STOPPED with the reason). The start gate
 * (start-gate.ts) asks these after every state change; `isReady` is the one readiness test.
 */
import type { DependencyCondition, DependencySpec } from '../config/types.js';
import type { ProcState } from './transition.js';

/** What the verdict needs of a dependency. */
export interface DependencyView {
  namespec: string;
  snapshot: ProcState;
  exitcodes: readonly number[];
  /** Why it is itself held back for good (a failed dependency of its own), if it is. */
  blocked: string | null;
}

export type Verdict = { kind: 'met' } | { kind: 'pending' } | { kind: 'failed'; reason: string };

const MET: Verdict = { kind: 'met' };
const PENDING: Verdict = { kind: 'pending' };

/**
 * Is the process ready? The one place that says it, from the state machine's own flag
 * (transition.ts): RUNNING in this spawn, after its `ready=` check when it has one.
 */
export function isReady(st: ProcState): boolean {
  return st.ready;
}

/** The moment the supervisor emits its typed 'ready' event for a state change: entering RUNNING ready. */
export function becameReady(change: { to: string; snapshot: ProcState }): boolean {
  return change.to === 'RUNNING' && isReady(change.snapshot);
}

/** Exited with one of its expected exit codes (and not about to run again). */
export function exitedAsExpected(st: ProcState, exitcodes: readonly number[]): boolean {
  return st.state === 'EXITED' && !st.restartPending && st.exitstatus !== null && exitcodes.includes(st.exitstatus);
}

export function verdict(condition: DependencyCondition, dep: DependencyView | null): Verdict {
  if (!dep) return PENDING; // named in a group not added yet (a partial update)
  const st = dep.snapshot;
  const name = dep.namespec;
  if (st.state === 'FATAL' || st.state === 'UNKNOWN') return { kind: 'failed', reason: `dependency ${name} is ${st.state}` };
  if (dep.blocked && st.state === 'STOPPED') return { kind: 'failed', reason: `dependency ${name} cannot start (${dep.blocked})` };
  if (condition === 'exited') {
    if (exitedAsExpected(st, dep.exitcodes)) return MET;
    if (st.state === 'EXITED' && !st.restartPending) return { kind: 'failed', reason: `dependency ${name} exited with status ${st.exitstatus}` };
    return PENDING;
  }
  if (isReady(st)) return MET;
  // EXITED and left so by autorestart: it will not become ready by itself
  if (st.state === 'EXITED' && !st.restartPending) return { kind: 'failed', reason: `dependency ${name} has exited` };
  return PENDING;
}

/** `db:ready` → `db (ready)`: how status says what a process waits for. */
export function waitingText(spec: Pick<DependencySpec, 'target' | 'condition'>, namespec?: string): string {
  return `${namespec ?? spec.target} (${spec.condition})`;
}

/** The words of depends_on= as status --json shows them: `db:ready`, `migrate:exited`. */
export function specWords(specs: readonly DependencySpec[] | undefined): string[] {
  return (specs ?? []).map((s) => `${s.target}:${s.condition}`);
}

/** What the start gate says of a process it holds or held back. */
export type GateNote = { waitingFor: string[] } | { error: string };

/** The tsupervisor fields of getProcessInfo (none for a process without depends_on=). */
export function dependencyInfo(specs: readonly DependencySpec[] | undefined, note: GateNote | null) {
  const out: { depends_on?: string[]; waiting_for?: string[]; dependency_error?: string } = {};
  if (specs) out.depends_on = specWords(specs);
  if (note && 'waitingFor' in note) out.waiting_for = note.waitingFor;
  if (note && 'error' in note) out.dependency_error = note.error;
  return out;
}
